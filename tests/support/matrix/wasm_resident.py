"""`WasmResident`: a Matrix test user whose crypto is the one Element runs, in strict mode.

It drives `tests/support/matrix_wasm/resident.mjs` (Node 20 and
`@matrix-org/matrix-sdk-crypto-wasm`) over JSON lines on stdin/stdout. The resident
cross-signs its own device, shares room keys only with devices cross-signed by their owner,
and refuses to decrypt messages whose sender device is not cross-signed.

The Node dependencies come from `npm ci --prefix tests/support/matrix_wasm` (CI runs it
before pytest); without them `WasmResident.start` raises `WasmResidentError` saying so.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
from collections import deque
from pathlib import Path
from typing import Any, Self

from .synapse import MatrixUser

RESIDENT_DIR = Path(__file__).resolve().parents[1] / "matrix_wasm"
RESIDENT_SCRIPT = RESIDENT_DIR / "resident.mjs"
CRYPTO_PACKAGE_DIR = RESIDENT_DIR / "node_modules" / "@matrix-org" / "matrix-sdk-crypto-wasm"
INSTALL_COMMAND = "npm ci --prefix tests/support/matrix_wasm"

START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_REPLY_MARGIN = 15.0  # on top of a command's own wait, for the resident to answer
_STDERR_LINES = 200
_LINE_LIMIT = 4 * 1024 * 1024


class WasmResidentError(RuntimeError):
    """The resident could not run, died, or answered a command with an error."""


def node_executable() -> str:
    """The path of `node`, or `WasmResidentError` if it is not on PATH."""
    node = shutil.which("node")
    if node is None:
        raise WasmResidentError("`node` (Node.js 20+) is not on PATH; the WASM resident needs it")
    return node


def ensure_installed() -> None:
    """Raise a `WasmResidentError` naming the install command if `node_modules` is missing."""
    if not (CRYPTO_PACKAGE_DIR / "package.json").is_file():
        raise WasmResidentError(
            f"{CRYPTO_PACKAGE_DIR} is missing: run `{INSTALL_COMMAND}` from the repository root"
        )


class WasmResident:
    """One `node resident.mjs` process acting for one registered user; `stop()` it in a finally.

    Commands may overlap: each carries an id and its reply is matched by that id.
    """

    def __init__(self, user: MatrixUser, process: asyncio.subprocess.Process) -> None:
        self.user = user
        self.device_id = user.device_id
        self.cross_signed = False
        self._process = process
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._stderr: deque[str] = deque(maxlen=_STDERR_LINES)
        self._reader = asyncio.create_task(self._read_replies())
        self._stderr_reader = asyncio.create_task(self._read_stderr())
        self._stopped = False

    @classmethod
    async def start(
        cls, base_url: str, user: MatrixUser, *, cross_signing: bool = True,
        strict: bool = True, timeout: float = START_TIMEOUT,
    ) -> Self:
        """Spawn the resident, bootstrap (or skip) cross-signing, upload keys, first sync.

        `strict=False` makes a lax client (shares with all devices, decrypts from anyone): the
        only way a resident without cross-signing can send, since strict sharing needs the
        sender's own cross-signing.
        """
        ensure_installed()
        env = dict(os.environ)
        env.update({
            "MATRIX_HOMESERVER": base_url,
            "MATRIX_USER_ID": user.user_id,
            "MATRIX_ACCESS_TOKEN": user.access_token,
            "MATRIX_DEVICE_ID": user.device_id,
        })
        process = await asyncio.create_subprocess_exec(
            node_executable(), str(RESIDENT_SCRIPT), cwd=RESIDENT_DIR, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, limit=_LINE_LIMIT,
        )
        resident = cls(user, process)
        try:
            answer = await resident.command(
                "start", timeout, cross_signing=cross_signing, strict=strict
            )
        except BaseException:
            await resident.stop()
            raise
        resident.device_id = str(answer.get("device_id", user.device_id))
        resident.cross_signed = bool(answer.get("cross_signed", False))
        return resident

    @property
    def running(self) -> bool:
        return self._process.returncode is None

    def stderr_tail(self, lines: int = 40) -> str:
        """The last lines the resident logged (to stderr), for failure messages."""
        return "\n".join(list(self._stderr)[-lines:])

    async def command(
        self, cmd: str, timeout: float = COMMAND_TIMEOUT, **fields: Any
    ) -> dict[str, Any]:
        """Send one command and return its reply; an `error` reply raises `WasmResidentError`."""
        reply = await self._call(cmd, timeout, fields)
        if "error" in reply:
            raise WasmResidentError(
                f"{self.user.user_id}: {cmd} failed: {reply['error']}\n"
                f"--- resident stderr ---\n{self.stderr_tail()}"
            )
        return reply

    async def create_dm(self, bot_user_id: str) -> str:
        """An encrypted `trusted_private_chat` DM (`is_direct`) inviting `bot_user_id`."""
        return str((await self.command("create_dm", invite=bot_user_id))["room_id"])

    async def join(self, room_id: str) -> str:
        """Join a room (by id) the resident was invited to; return its id."""
        return str((await self.command("join", room_id=room_id))["room_id"])

    async def wait_joined(self, room_id: str, user_id: str, timeout: float = 10.0) -> None:
        """Wait until `user_id`'s membership in `room_id` is `join`; AssertionError if not."""
        reply = await self._call(
            "wait_joined", timeout + _REPLY_MARGIN,
            {"room_id": room_id, "user_id": user_id, "timeout": timeout},
        )
        if reply.get("error") == "timeout":
            raise AssertionError(
                f"{user_id} did not join {room_id} within {timeout} s "
                f"(membership: {reply.get('membership')})"
            )
        if "error" in reply:
            raise WasmResidentError(f"wait_joined failed: {reply['error']}")

    async def send_text(
        self, room_id: str, body: str, *, strict: bool | None = None
    ) -> dict[str, Any]:
        """Share the room key (strictly unless told), encrypt and send an `m.text`.

        Returns `event_id`, `shared_with_devices` (`"user|device"` strings) and
        `withheld_from_devices` (`{"device", "code"}` for devices refused a key).
        """
        fields: dict[str, Any] = {"room_id": room_id, "body": body}
        if strict is not None:
            fields["strict"] = strict
        return await self.command("send_text", **fields)

    async def wait_message(
        self, room_id: str, contains: str, timeout: float = 15.0
    ) -> dict[str, Any]:
        """The first event from someone else whose (decrypted) body contains `contains`.

        Returns `body`, `sender`, `event_id`, `type`, `encrypted`, `sender_device`. On timeout
        raises AssertionError listing the events it could not decrypt, with the reasons.
        """
        reply = await self._call(
            "wait_message", timeout + _REPLY_MARGIN,
            {"room_id": room_id, "contains": contains, "timeout": timeout},
        )
        if reply.get("error") == "timeout":
            undecryptable = reply.get("undecryptable", [])
            raise AssertionError(
                f"{self.user.user_id}: no message containing {contains!r} in {room_id} within "
                f"{timeout} s; undecryptable events: {json.dumps(undecryptable, indent=1)}"
            )
        if "error" in reply:
            raise WasmResidentError(f"wait_message failed: {reply['error']}")
        return reply

    async def undecryptable(
        self, room_id: str, contains: str, timeout: float
    ) -> list[dict[str, Any]]:
        """Wait for a message that should *not* decrypt; return the undecryptable list.

        Raises AssertionError if a message containing `contains` did decrypt.
        """
        reply = await self._call(
            "wait_message", timeout + _REPLY_MARGIN,
            {"room_id": room_id, "contains": contains, "timeout": timeout},
        )
        if reply.get("error") == "timeout":
            return list(reply.get("undecryptable", []))
        if "error" in reply:
            raise WasmResidentError(f"wait_message failed: {reply['error']}")
        raise AssertionError(f"{self.user.user_id} decrypted a message it should not: {reply}")

    async def stop(self) -> None:
        """Ask the resident to stop; kill it if it does not exit in time. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        process = self._process
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await self._call("stop", STOP_TIMEOUT, {})
            if process.stdin is not None and not process.stdin.is_closing():
                process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                process.kill()
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        for task in (self._reader, self._stderr_reader):
            try:
                await asyncio.wait_for(task, STOP_TIMEOUT)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if process.stdin is not None:
            with contextlib.suppress(Exception):
                await process.stdin.wait_closed()
        self._fail_pending("the resident was stopped")

    async def _call(self, cmd: str, timeout: float, fields: dict[str, Any]) -> dict[str, Any]:
        if self._process.returncode is not None or self._process.stdin is None:
            raise WasmResidentError(
                f"{self.user.user_id}: the resident is not running (exit "
                f"{self._process.returncode})\n{self.stderr_tail()}"
            )
        command_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[command_id] = future
        line = json.dumps({"id": command_id, "cmd": cmd, **fields}) + "\n"
        try:
            self._process.stdin.write(line.encode())
            await self._process.stdin.drain()
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise WasmResidentError(
                f"{self.user.user_id}: no reply to {cmd} within {timeout} s\n{self.stderr_tail()}"
            ) from None
        except (BrokenPipeError, ConnectionResetError) as error:
            raise WasmResidentError(
                f"{self.user.user_id}: the resident went away ({error})\n{self.stderr_tail()}"
            ) from None
        finally:
            self._pending.pop(command_id, None)

    async def _read_replies(self) -> None:
        assert self._process.stdout is not None
        while line := await self._process.stdout.readline():
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                self._stderr.append(f"(stdout, not JSON) {line.decode(errors='replace').rstrip()}")
                continue
            command_id = reply.get("id") if isinstance(reply, dict) else None
            future = self._pending.get(command_id) if isinstance(command_id, int) else None
            if future is not None and not future.done():
                future.set_result(reply)
        await self._process.wait()
        self._fail_pending(f"the resident exited with code {self._process.returncode}")

    async def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        while line := await self._process.stderr.readline():
            self._stderr.append(line.decode(errors="replace").rstrip())

    def _fail_pending(self, why: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(
                    WasmResidentError(f"{self.user.user_id}: {why}\n{self.stderr_tail()}")
                )
