from typing import Any

from django.http import HttpRequest


def linli(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at=None).count()
    return {"elder_mode": getattr(request, "elder_mode", False), "unread_count": unread}
