"""`SynapseServer`: a real Synapse in a subprocess on loopback, and its admin APIs.

Blocking on purpose (subprocess, `urllib`): a session-scoped fixture can then start it once
without needing an event loop.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from .config import SERVER_NAME, write_config

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
ADMIN_LOCALPART = "animabot-admin"


class SynapseServerError(RuntimeError):
    """Synapse did not start, or an admin call failed."""


@dataclass(frozen=True)
class MatrixUser:
    """A registered account and the access token that acts for it."""

    user_id: str
    access_token: str
    device_id: str
    password: str = ""

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]


def free_port() -> int:
    """A loopback port free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SynapseServer:
    """Start with `start()` (or `with`), stop with `stop()`; `register()` makes accounts."""

    def __init__(self, directory: Path, server_name: str = SERVER_NAME) -> None:
        self.directory = directory
        self.server_name = server_name
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.startup_seconds = 0.0
        self._secret = secrets.token_hex(16)
        self._process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._admin: MatrixUser | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Write the config, spawn Synapse, wait for `/health`, register the admin."""
        config = write_config(self.directory, self.port, self._secret, self.server_name)
        self._output = (self.directory / "stdout.log").open("wb")
        began = time.monotonic()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(config)],
            cwd=self.directory, stdin=subprocess.DEVNULL, stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy(began)
            self.startup_seconds = time.monotonic() - began
            self._admin = self.register(ADMIN_LOCALPART, admin=True)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if Synapse has not exited within `STOP_TIMEOUT`."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        if self._output is not None:
            self._output.close()
            self._output = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The end of Synapse's own log and of its stdout/stderr, for failure messages."""
        parts = []
        for name in ("homeserver.log", "stdout.log"):
            path = self.directory / name
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                parts.append(f"--- {name} ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)

    def health(self) -> str:
        """The body of `GET /health` ("OK" when ready)."""
        with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as answer:
            return str(answer.read().decode())

    def register(self, localpart: str, *, admin: bool = False) -> MatrixUser:
        """Create an account through the shared-secret admin API; it comes logged in."""
        path = "/_synapse/admin/v1/register"
        nonce = str(self._request("GET", path)["nonce"])
        password = secrets.token_hex(12)
        signed = "\0".join((nonce, localpart, password, "admin" if admin else "notadmin"))
        mac = hmac.new(self._secret.encode(), signed.encode(), hashlib.sha1)
        body = {"nonce": nonce, "username": localpart, "password": password,
                "admin": admin, "mac": mac.hexdigest()}
        answer = self._request("POST", path, body)
        return MatrixUser(answer["user_id"], answer["access_token"], answer["device_id"],
                          password)

    def override_ratelimit(
        self, user_id: str, messages_per_second: int, burst_count: int
    ) -> dict[str, Any]:
        """Set a user's message rate limit; `(0, 0)` lifts every limit for that user.

        Synapse only accepts integers here: the slowest real limit is 1 message a second.
        """
        quoted = urllib.parse.quote(user_id, safe="")
        return self._request(
            "POST", f"/_synapse/admin/v1/users/{quoted}/override_ratelimit",
            {"messages_per_second": messages_per_second, "burst_count": burst_count},
            token=self._admin_token(),
        )

    def _admin_token(self) -> str:
        if self._admin is None:
            raise SynapseServerError("the server is not started")
        return self._admin.access_token

    def _wait_healthy(self, began: float) -> None:
        while time.monotonic() - began < START_TIMEOUT:
            if self._process is None or self._process.poll() is not None:
                raise SynapseServerError(f"Synapse exited during start-up\n{self.log_tail()}")
            try:
                if self.health() == "OK":
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SynapseServerError(
            f"Synapse not healthy after {START_TIMEOUT} s\n{self.log_tail()}"
        )

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
    ) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                result: dict[str, Any] = json.loads(answer.read())
                return result
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            error.close()
            raise SynapseServerError(f"{method} {path} → {error.code}: {detail}") from None
