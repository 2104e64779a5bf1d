"""People's extension points: what apps above people tell it (filled in their `ready()`).

People sits below casework, so it cannot ask casework which cases an actor handles; casework
registers the answers here instead.
"""

from collections.abc import Callable
from typing import Any

from linli.core.registry import ExtensionPoint

# provider(actor) -> a query of Resident pks (`.values("pk")`) the actor reaches through an
# open case they handle (department officers see the residents of their open cases).
residents_via_open_cases: ExtensionPoint[Callable[[Any], Any]] = ExtensionPoint(
    "residents reachable through an open case"
)
# provider(*, actor, case_id) -> bool: the actor may see that case (grants may name one).
case_visible: ExtensionPoint[Callable[..., bool]] = ExtensionPoint("cases an actor may see")
