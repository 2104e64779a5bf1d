"""Who may call which ledger page or API operation (declared at each route)."""

from linli.core.roles import Role

# People with their own time credits, points, vouchers and shared items.
MEMBERS = (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER)
# Record hours served (registered volunteers).
VOLUNTEERS = (Role.VOLUNTEER,)
# Confirm hours: the person served, or the grid worker on their behalf.
CONFIRMERS = (Role.RESIDENT, Role.FAMILY, Role.VOLUNTEER, Role.GRID_WORKER)
# Manage a community's catalogue, funds, projects (scoped to their communities).
MANAGERS = (Role.COMMUNITY_WORKER, Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)
# Approve projects (secretary up to the threshold; the street office any).
APPROVERS = (Role.SECRETARY, Role.STREET_ADMIN, Role.SYSADMIN)
# Set the government matching cap.
CAP_SETTERS = (Role.STREET_ADMIN, Role.SYSADMIN)
# Mark vouchers used (核销).
MERCHANTS = (Role.PARTNER,)
