"""Welfare alerts (CARE-3..5). Placeholder: C2 replaces this module."""

from typing import Any


def alerts_recheck(*, device_ids: list[int]) -> Any:
    raise NotImplementedError("care alerts are being built")
