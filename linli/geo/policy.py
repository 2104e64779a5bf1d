"""Who may do what with places."""

from linli.core.roles import Role

# Who may open the grid map (staff with a place, and oversight).
GRID_MAP_ROLES = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.SECRETARY,
    Role.STREET_ADMIN,
    Role.DEPT_OFFICER,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)
