"""The double-entry core (core.py) and the programmes built on it (programmes.py)."""

from linli.ledger.models.core import *  # noqa: F403
from linli.ledger.models.programmes import *  # noqa: F403
