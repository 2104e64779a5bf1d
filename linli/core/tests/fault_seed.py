"""Data for the fault tests, written by `manage.py shell -c` inside the throwaway database
(the test process's own database is pytest-django's, which the commands cannot see)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from linli.testing.world import World, build_world


def _phones(world: World) -> None:
    for i, user in enumerate(world.users.values()):
        user.phone, user.email = f"1390000{i:04d}", f"fault{i}@example.org"
        user.save(update_fields=["phone", "email"])


def deliveries(*, notifications: int) -> dict[str, Any]:
    """`notifications` messages with an SMS and an e-mail copy each, queued for the worker."""
    from linli.core.notifications.models import Delivery
    from linli.core.notifications.services import notification_send

    world = build_world()
    _phones(world)
    users = [world[r] for r in ("resident", "grid_worker", "community_worker", "secretary")]
    for i in range(notifications):
        notification_send(
            recipient=users[i % len(users)], title=f"故障测试 {i}", channels=("sms", "email")
        )
    return {"deliveries": Delivery.objects.count()}


def care_home(*, gateway: str) -> dict[str, Any]:
    from linli.care.tests.ingest_helpers import make_home

    home = make_home(build_world(), gateway_name=gateway)
    return {"gateway": home.gateway.name, "motion": home.serial("motion")}


def cases(*, per_plan: int, follow_ups: int) -> dict[str, Any]:
    """Open cases in four plans of `per_plan` each (to warn, just overdue, overdue long enough
    to escalate, on time) and closed cases due a 回访, as bench/casework_sweep.py builds them.
    Returns what one clean sweep does to them."""
    from linli.casework.choices import Status
    from linli.casework.models import Case, Category
    from linli.casework.services.categories import categories_ensure_defaults

    world = build_world()
    _phones(world)  # so escalation sends its SMS (a Delivery row)
    categories_ensure_defaults(actor=None)
    category = Category.objects.get(code="01-10")
    now = timezone.now()
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    plans = [
        (now - 3 * day, now + 6 * hour, Status.HANDLING, None),  # warn
        (now - 3 * day, now - dt.timedelta(minutes=1), Status.DISPATCHED, None),  # overdue
        (now - 30 * day, now - 20 * day, Status.HANDLING, None),  # overdue, escalate
        (now - hour, now + 10 * day, Status.REGISTERED, None),  # on time
    ]
    follow_up = (now - 10 * day, now - 8 * day, Status.CLOSED, now - hour)
    todo = [p for p in plans for _ in range(per_plan)] + [follow_up] * follow_ups
    rows = [
        Case(
            tracking_no=f"FAULT{i:08d}",
            channel="web",
            category=category,
            description="故障注入测试",
            lat=30.2725,
            lon=120.1225,
            grid=world.grid_a1,
            community=world.community_a,
            owner_unit=world.chengguan,
            handler_unit=world.chengguan,
            status=status,
            respond_due=due,
            close_due=due,
            follow_up_due=follow,
        )
        for i, (_, due, status, follow) in enumerate(todo)
    ]
    Case.objects.bulk_create(rows, batch_size=2000)
    for created, due, _, _ in [*plans, follow_up]:  # created_at is auto_now_add
        Case.objects.filter(close_due=due).update(created_at=created)
    return {
        "warned": per_plan,
        "overdue": 2 * per_plan,
        "escalated": per_plan,
        "follow_ups": follow_ups,
    }
