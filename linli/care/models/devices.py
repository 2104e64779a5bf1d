"""Devices, gateways, readings and per-device state (CARE-1, CARE-2)."""
