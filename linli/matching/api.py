"""/api/matching."""

from ninja import Router

router = Router(tags=["matching"])
