"""The casework API, mounted at /api/cases as one router. Its own operations are /api/cases
itself; fixed paths (/nearby, /whistles/open, /whistle-calls/…) come before /{tracking_no},
so the sub-routers are added in this order."""

from linli.casework.api import cases, duplicates, whistle

router = cases.root
router.add_router("", duplicates.router)
router.add_router("", whistle.router)
router.add_router("", cases.router)
