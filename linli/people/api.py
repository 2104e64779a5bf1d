"""People's one API router, mounted at /api/people: it mounts its parts, fixed paths first
(/import, /audit, /me…), then the records and grants."""

from ninja import Router

from linli.people import api_audit, api_import, api_records, api_rights

router = Router()
router.add_router("", api_import.router)
router.add_router("", api_audit.router)
router.add_router("", api_rights.router)
router.add_router("", api_records.router)
