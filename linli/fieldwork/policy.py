"""Who may do what in the grid worker's day."""

from typing import Any

from linli.core.roles import Role

# The day itself (today's list, visits, patrol reports, the outbox): grid workers.
FIELD_ROLES = (Role.GRID_WORKER,)
# Coverage per worker and the measures (有效上报率, 漏报, proactive share): those who
# supervise grid workers. Residents and family never.
OVERSIGHT_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.SUPERVISOR,
    Role.EVALUATOR,
    Role.SYSADMIN,
)
# Recording a major life change (丧亲): the worker and community staff.
LIFE_EVENT_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY)
# Patrol tracks: the worker's own, and community staff who supervise them. Never residents.
TRACK_VIEW_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN)
SEE_ALL = (Role.SUPERVISOR, Role.EVALUATOR, Role.SYSADMIN)


def sees_all(actor: Any) -> bool:
    return bool(actor.role in SEE_ALL)
