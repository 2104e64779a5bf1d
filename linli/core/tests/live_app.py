"""Linli as production runs it, for the issue-18 tests: `manage.py` commands and gunicorn as
subprocesses with DEBUG off and keys of their own, against databases the test names (a
cluster pair of its own, or PgBouncer). The test process talks to it over HTTP and reads the
databases back with plain SQL."""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
MANAGE = ROOT / "manage.py"


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveApp:
    def __init__(self, var_dir: Path, **env: str) -> None:
        self.var_dir = var_dir
        self.env = {
            **os.environ,
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "LINLI_DATA_KEYS": f"live:{_key()}",
            "LINLI_INDEX_KEY": _key(),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LINLI_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "linli.settings",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0

    def manage(self, *argv: str, timeout: float = 300, **env: str) -> str:
        done = subprocess.run(  # noqa: S603  (our own manage.py)
            [sys.executable, str(MANAGE), *argv],
            env={**self.env, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"manage.py {argv[0]}: {done.stdout}{done.stderr}"
        return done.stdout

    def seed(self, module: str, function: str, **kwargs: Any) -> Any:
        """Call <module>.<function>(**kwargs) inside the app's database; its JSON result."""
        code = (
            f"import json; from {module} import {function} as f; "
            f"print(json.dumps(f(**json.loads({json.dumps(kwargs)!r}))))"
        )
        return json.loads(self.manage("shell", "-v", "0", "-c", code).strip().splitlines()[-1])

    def start(self, workers: int = 1, threads: int = 1) -> None:
        self.port = free_port()
        log = open(self.var_dir / "gunicorn.log", "wb")  # noqa: SIM115 (the server's life)
        self.server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "linli.wsgi", "-w", str(workers)]
            + ["--threads", str(threads), "-b", f"127.0.0.1:{self.port}", "--timeout", "60"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.server.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{self.log()[-3000:]}")
            try:
                status, _, _ = self.request("GET", "/api/openapi.json")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in 60 s:\n{self.log()[-3000:]}")
            time.sleep(0.2)

    def log(self) -> str:
        return (self.var_dir / "gunicorn.log").read_text(errors="replace")

    def stop(self) -> None:
        """A throwaway server: killed at once (a graceful stop takes seconds per worker)."""
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(10)
        self.server = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, http.client.HTTPResponse]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            conn.request(method, path, data, sent)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            payload: Any = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return response.status, payload, response
