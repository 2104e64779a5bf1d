"""Staff API for resident records (PEOPLE-1/3/4)."""

from ninja import Router

router = Router(tags=["people"])
