"""API of this part of the people app."""

from ninja import Router

router = Router(tags=["people"])
