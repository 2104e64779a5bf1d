"""After `make run`, manage.py reads var/dev.env; without it, production refuses dev keys."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(var_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(LINLI_VAR_DIR=str(var_dir), **extra)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_commands_work_as_written_after_make_run(tmp_path: Path) -> None:
    (tmp_path / "dev.env").write_text("# made by make run\nDEBUG=1\n", encoding="utf-8")
    result = _manage(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_the_file_production_refuses_to_start(tmp_path: Path) -> None:
    result = _manage(tmp_path, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    (tmp_path / "dev.env").write_text("DEBUG=1\n", encoding="utf-8")
    result = _manage(tmp_path, "check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
