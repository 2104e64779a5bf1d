"""Devices and readings (devices.py), rules, alerts and maintenance (alerts.py), visits, calls
and home services (services.py)."""

from linli.care.models.alerts import *  # noqa: F403
from linli.care.models.devices import *  # noqa: F403
from linli.care.models.services import *  # noqa: F403
