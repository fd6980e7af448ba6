"""``animabot users add|list|passwd|disable|enable|revoke|remove``: the back-office's
accounts.

Passwords are read from standard input (``--password-stdin``), never from the command line,
where other users of the machine and the shell's history would see them. Every change is
written to the audit log under ``cli:<system user>``.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from ..accounts.service import AccountService
from ..clock import Clock, SystemClock
from ..config import Settings
from ..core import open_core
from ..domain.access import Role, parse_neighbourhoods
from ..store.accounts import Account
from ..store.stores import Stores
from .common import (
    ConfigOption,
    DatabaseOption,
    cells,
    fail,
    out,
    run_async,
    settings_from,
)

app = typer.Typer(help="Back-office accounts: add, list, change a password, disable, remove.",
                  no_args_is_help=True)
T = TypeVar("T")
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="Read the password from standard input (first line), e.g. "
    "`printf '%s\\n' \"$PASSWORD\" | animabot users add …`.")]


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli"


def read_password() -> str:
    """The first line of standard input; none is a clear error, never a traceback."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on standard input: pipe it in, e.g. "
             "printf '%s\\n' \"$PASSWORD\" | animabot users … --password-stdin")
    return password


def _with_accounts(config: Path | None, database: Path | None,
                   work: Callable[[AccountService], Awaitable[T]]) -> T:
    async def run() -> T:
        clock = SystemClock()
        settings = settings_from(config, database)
        async with open_core(settings, clock, sends=False) as core:
            return await work(service_of(core.stores, clock, settings))

    return run_async(run)


def service_of(stores: Stores, clock: Clock, settings: Settings | None = None
               ) -> AccountService:
    return AccountService(stores.accounts, stores.sessions, stores.audit, clock,
                          stores.chats, settings)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The account's name, typed at sign-in.")],
    role: Annotated[Role, typer.Option(
        help="administrator: everything; facilitator: campaigns in its neighbourhoods; "
        "agent: reads the anonymised figures.", case_sensitive=False)],
    neighbourhoods: Annotated[str | None, typer.Option(
        help="A facilitator's neighbourhood ids, comma-separated (default: the whole "
        "commune).", metavar="centre,gare")] = None,
    password_stdin: PasswordStdin = False,
    email: Annotated[str | None, typer.Option(
        help="Sign-in through OpenID Connect ([web.oidc]) with this e-mail address.")] = None,
    subject: Annotated[str | None, typer.Option(
        help="Sign-in through OpenID Connect with this subject ('sub' claim).")] = None,
    commune: Annotated[str | None, typer.Option(
        help="The commune (or intercommunal body) of [communes] the account belongs to: it "
        "sees and acts on that commune's neighbourhoods only (default: the whole "
        "deployment).", metavar="ID")] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create an account: a local password (--password-stdin), an OpenID identity, or both."""
    password = read_password() if password_stdin else None
    hoods = parse_neighbourhoods(neighbourhoods)

    async def work(service: AccountService) -> Account:
        return await service.add(name, role, hoods, password=password, email=email,
                                 subject=subject, actor=cli_actor(), commune=commune)

    account = _with_accounts(config, database, work)
    scope = ", ".join(sorted(account.neighbourhoods)) or "the whole commune"
    out.print(f"account {account.name} added: {account.role}"
              + (f" ({scope})" if account.role is Role.FACILITATOR else "")
              + (f" in the commune {account.commune}" if account.commune else ""),
              markup=False)


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """List the accounts, their role, neighbourhoods, how they sign in and their commune."""
    async def work(service: AccountService) -> list[Account]:
        return await service.accounts.all()

    accounts = _with_accounts(config, database, work)
    if as_json:
        out.print(json.dumps([
            {"name": a.name, "role": a.role.value, "neighbourhoods": sorted(a.neighbourhoods),
             "password": a.password_hash is not None, "email": a.email, "subject": a.subject,
             "disabled": a.disabled, "created_at": a.created_at.isoformat(),
             "commune": a.commune}
            for a in accounts], ensure_ascii=False, indent=2), markup=False)
        return
    if not accounts:
        out.print("no account yet: animabot users add NAME --role administrator "
                  "--password-stdin", markup=False)
        return
    table = Table("name", "role", "neighbourhoods", "sign-in", "state", "commune")
    for a in accounts:
        ways = [w for w, has in (("password", a.password_hash), ("oidc", a.email or a.subject))
                if has]
        hoods = (", ".join(sorted(a.neighbourhoods)) or "all") if a.role is Role.FACILITATOR \
            else ""
        table.add_row(*cells(a.name, a.role.value, hoods, ", ".join(ways),
                            "disabled" if a.disabled else "", a.commune or ""))
    out.print(table)


@app.command("passwd")
def passwd(
    name: Annotated[str, typer.Argument(help="The account.")],
    password_stdin: PasswordStdin = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Set an account's password (its open sessions are revoked)."""
    if not password_stdin:
        raise typer.BadParameter("pass the new password on standard input with "
                                 "--password-stdin", param_hint="--password-stdin")
    password = read_password()

    async def work(service: AccountService) -> int:
        await service.set_password(name, password, actor=cli_actor())
        return await service.revoke_sessions(name, actor=cli_actor())

    revoked = _with_accounts(config, database, work)
    out.print(f"password of {name} changed; {revoked} session(s) revoked", markup=False)


@app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The account.")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Remove an account; its sessions stop working at once. The audit log keeps its name."""
    async def work(service: AccountService) -> None:
        await service.remove(name, actor=cli_actor())

    _with_accounts(config, database, work)
    out.print(f"account {name} removed; its sessions are revoked", markup=False)


@app.command("disable")
def disable(
    name: Annotated[str, typer.Argument(help="The account.")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Suspend an account: its sessions stop at once and it cannot sign in (`enable` undoes)."""
    async def work(service: AccountService) -> None:
        await service.set_disabled(name, True, actor=cli_actor())

    _with_accounts(config, database, work)
    out.print(f"account {name} disabled; its sessions are revoked", markup=False)


@app.command("enable")
def enable(
    name: Annotated[str, typer.Argument(help="The account.")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Let a disabled account sign in again."""
    async def work(service: AccountService) -> None:
        await service.set_disabled(name, False, actor=cli_actor())

    _with_accounts(config, database, work)
    out.print(f"account {name} enabled", markup=False)


@app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="The account.")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Sign an account out everywhere (for a lost phone, a shared computer)."""
    async def work(service: AccountService) -> int:
        return await service.revoke_sessions(name, actor=cli_actor())

    out.print(f"{_with_accounts(config, database, work)} session(s) of {name} revoked",
              markup=False)
