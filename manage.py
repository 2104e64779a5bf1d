#!/usr/bin/env python
import os
import sys
from pathlib import Path


def load_dev_env() -> None:
    """`make run` writes var/dev.env (git-ignored) so the demo install's commands work as
    written. Values already in the environment win; production has no such file."""
    var = Path(os.environ.get("LINLI_VAR_DIR", Path(__file__).resolve().parent / "var"))
    env_file = var / "dev.env"
    if not env_file.is_file():
        return
    for line in env_file.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


if __name__ == "__main__":
    load_dev_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
