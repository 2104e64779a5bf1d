"""Parallel-session tests run on PostgreSQL only (SQLite serialises every writer). CI runs the
suite on both databases: on SQLite such a test skips, and it fails only when CI is set and no
PostgreSQL listens, so a CI that lost its database cannot pass by skipping."""

import os
import socket

import pytest
from django.db import connection


def _postgres_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


def needs_postgres(what: str) -> None:
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") and not _postgres_listening():
        pytest.fail(f"CI needs PostgreSQL at 127.0.0.1:5432 for {what}")
    pytest.skip(f"{what} needs PostgreSQL (SQLite serialises all writers)")
