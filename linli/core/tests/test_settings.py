import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    drop = {"SECRET_KEY", "DEBUG", "LINLI_DATA_KEYS", "LINLI_INDEX_KEY"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_default_secret():
    result = _check({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


KEYS = {
    "LINLI_DATA_KEYS": "k1:" + "A" * 43 + "=",
    "LINLI_INDEX_KEY": "B" * 43 + "=",
}


def test_production_refuses_to_start_without_data_keys():
    result = _check({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "LINLI_DATA_KEYS is not set" in result.stderr


def test_production_starts_with_a_secret_and_keys_and_development_without():
    assert _check({"SECRET_KEY": "x" * 50, **KEYS}).returncode == 0
    assert _check({"DEBUG": "1"}).returncode == 0
