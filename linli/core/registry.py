"""Extension points: a lower layer names what it needs, higher apps fill it in `ready()`.

Core never imports an app above it. The home page, for example, asks every registered
provider for its tiles; casework, people, care and ledger register theirs in
`AppConfig.ready()`. Apps below casework declare their own extension points the same way
(see `people.registry`).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from linli.core.errors import Conflict

P = TypeVar("P", bound=Callable[..., Any])


class ExtensionPoint(Generic[P]):
    """A named list of providers. Registering the same provider twice keeps one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: list[P] = []

    def register(self, provider: P) -> P:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def __iter__(self) -> Iterator[P]:
        return iter(tuple(self._providers))

    def __len__(self) -> int:
        return len(self._providers)


@dataclass(frozen=True)
class Tile:
    """A big button on the role home page. `order` keeps the page stable across apps."""

    title: str
    hint: str
    url: str
    order: int = 500


# provider(user) -> iterable of Tile
home_tiles: ExtensionPoint[Callable[[Any], Any]] = ExtensionPoint("home tiles")
# provider(user) -> dict merged into the home page's context (places, stats ...)
home_context: ExtensionPoint[Callable[[Any], dict[str, Any]]] = ExtensionPoint("home context")
# provider(*, key: str) -> user or None; accounts checks bearer tokens for the API auth
token_authenticators: ExtensionPoint[Callable[..., Any]] = ExtensionPoint("bearer tokens")


def tiles_for(user: Any) -> list[Tile]:
    tiles = [tile for provider in home_tiles for tile in provider(user)]
    return sorted(tiles, key=lambda t: t.order)  # stable: registration order breaks ties


def home_context_for(user: Any) -> dict[str, Any]:
    """Every provider's context; list values (such as "stats") are joined in order."""
    context: dict[str, Any] = {}
    for provider in home_context:
        for key, value in provider(user).items():
            if isinstance(value, list) and isinstance(context.get(key), list):
                context[key] = context[key] + value
            else:
                context[key] = value
    return context


def authenticate_token(key: str) -> Any:
    for authenticate in token_authenticators:
        user = authenticate(key=key)
        if user is not None:
            return user
    return None


# provider(request, status, body) -> HttpResponse or None: an app whose URLs answer in their
# own error format (Open311) renders the input guard's refusals itself.
error_renderers: ExtensionPoint[Callable[..., Any]] = ExtensionPoint("error renderers")


# provider(subject: str, pk: int) -> a reason (str) when the subject has lost its operating
# qualification, else None. Subjects are "ledger.project" and "matching.partner"; the app
# that evaluates them (above both) fills this in, so ledger and matching never import it.
qualification_checks: ExtensionPoint[Callable[[str, int], str | None]] = ExtensionPoint(
    "qualification checks"
)


def require_qualified(subject: str, pk: int | None) -> None:
    """Refuse (Conflict, code `qualification_revoked`) new funds or bookings for a subject
    whose operating qualification is revoked."""
    if pk is None:
        return
    for check in qualification_checks:
        reason = check(subject, pk)
        if reason:
            raise Conflict(reason, code="qualification_revoked")
