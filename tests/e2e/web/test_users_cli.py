"""``animabot users`` and ``animabot audit`` as an administrator types them: passwords on
standard input, clear refusals, the audit log of it all; then ``animabot web`` serves the
accounts alone (no agent token) and a password signs in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from ..conftest import ANIMABOT
from .conftest import own_copy
from .test_cli import LineReader, write_config

pytestmark = pytest.mark.slow
PASSWORD = "le mot de passe de Claire"


def users(config: Path, *args: str, password: str | None = None
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ANIMABOT, *args, "--config", str(config)], input=password and password + "\n",
        capture_output=True, text=True, timeout=60, cwd=config.parent,
        env={**os.environ, "COLUMNS": "160"})


def test_accounts_are_made_changed_and_removed_and_each_change_is_audited(
    tmp_path: Path, demo_database: Path,
) -> None:
    config = write_config(tmp_path, own_copy(demo_database, tmp_path), "")
    added = users(config, "users", "add", "claire", "--role", "administrator",
                  "--password-stdin", password=PASSWORD)
    assert added.returncode == 0 and "account claire added: administrator" in added.stdout
    karim = users(config, "users", "add", "karim", "--role", "facilitator",
                  "--neighbourhoods", "centre,gare", "--password-stdin", password=PASSWORD)
    assert "facilitator (centre, gare)" in karim.stdout
    for args, password, said in [
        (["add", "bob", "--role", "agent", "--password-stdin"], "court", "at least 12"),
        (["add", "claire", "--role", "agent", "--password-stdin"], PASSWORD,
         "already exists"),
        (["add", "x", "--role", "facilitator", "--neighbourhoods", "lune",
          "--password-stdin"], PASSWORD, "unknown neighbourhood(s): lune"),
        (["add", "y", "--role", "chef"], None, "Invalid value for '--role'"),
        (["remove", "personne"], None, "no account named 'personne'"),
    ]:
        refused = users(config, "users", *args, password=password)
        assert refused.returncode != 0 and said in refused.stderr, (args, refused.stderr)

    listed = json.loads(users(config, "users", "list", "--json").stdout)
    assert [(a["name"], a["role"], a["neighbourhoods"], a["password"]) for a in listed] == [
        ("claire", "administrator", [], True), ("karim", "facilitator", ["centre", "gare"], True)]
    assert PASSWORD not in json.dumps(listed)
    assert users(config, "users", "passwd", "karim", "--password-stdin",
                 password=PASSWORD + " 2").returncode == 0
    assert "disabled" in users(config, "users", "disable", "karim").stdout
    assert "disabled" in users(config, "users", "list").stdout
    assert "enabled" in users(config, "users", "enable", "karim").stdout
    assert "removed" in users(config, "users", "remove", "karim").stdout

    audit = users(config, "audit", "list", "--format", "csv").stdout.splitlines()
    assert audit[0] == "at,actor,action,target,detail,address"
    actions = [line.split(",")[2:4] for line in audit[1:]]
    assert actions == [["user_removed", "karim"], ["user_enabled", "karim"],
                       ["user_disabled", "karim"], ["session_revoked", "karim"],
                       ["user_password_changed", "karim"], ["user_added", "karim"],
                       ["user_added", "claire"]]
    assert all(line.split(",")[1].startswith("cli") for line in audit[1:])


def test_the_dashboard_serves_accounts_without_any_agent_token(
    tmp_path: Path, demo_database: Path,
) -> None:
    config = write_config(tmp_path, own_copy(demo_database, tmp_path), "")
    assert users(config, "users", "add", "claire", "--role", "administrator",
                 "--password-stdin", password=PASSWORD).returncode == 0
    process = subprocess.Popen(
        [ANIMABOT, "web", "--config", str(config), "--host", "127.0.0.1"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
        cwd=tmp_path, env={**os.environ, "COLUMNS": "120"})
    assert process.stderr is not None
    try:
        url = LineReader(process.stderr).wait_for(
            r"dashboard at (http://127\.0\.0\.1:\d+/)").group(1)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with browser.open(f"{url}login", timeout=10) as form:
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.read().decode())
        assert csrf is not None
        body = urllib.parse.urlencode({"username": "claire", "password": PASSWORD,
                                       "csrf_token": csrf.group(1)}).encode()
        with browser.open(f"{url}login", data=body, timeout=10) as home:
            page = home.read().decode()
        assert home.status == 200 and "claire" in page and "Journal" in page
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


COMMUNES = """
[[neighbourhoods]]
id = "centre"
name = "Centre-ville"
commune = "nord"
[[neighbourhoods]]
id = "gare"
name = "Quartier de la Gare"
commune = "sud"
[communes.nord]
name = "Nord"
[communes.sud]
name = "Sud"
[communes.agglo]
name = "Agglomération"
members = ["nord", "sud"]
"""


def test_an_account_belongs_to_a_commune_of_the_configuration(
    tmp_path: Path, demo_database: Path,
) -> None:
    config = write_config(tmp_path, own_copy(demo_database, tmp_path), COMMUNES)
    nina = users(config, "users", "add", "nina", "--role", "facilitator", "--neighbourhoods",
                 "centre", "--commune", "nord", "--password-stdin", password=PASSWORD)
    assert nina.returncode == 0, nina.stderr
    assert "account nina added: facilitator (centre) in the commune nord" in nina.stdout
    assert users(config, "users", "add", "alix", "--role", "administrator", "--commune",
                 "agglo", "--password-stdin", password=PASSWORD).returncode == 0
    for args, said in [
        (["--role", "agent", "--commune", "lune"],
         "unknown commune 'lune'; known: agglo, nord, sud"),
        (["--role", "facilitator", "--neighbourhoods", "gare", "--commune", "nord"],
         "gare are not in the commune nord"),
    ]:
        refused = users(config, "users", "add", "x", *args, "--password-stdin",
                        password=PASSWORD)
        assert refused.returncode != 0 and said in refused.stderr, (args, refused.stderr)
    listed = json.loads(users(config, "users", "list", "--json").stdout)
    assert [(a["name"], a["commune"]) for a in listed] == [("alix", "agglo"), ("nina", "nord")]
    table = users(config, "users", "list").stdout
    assert "commune" in table and "agglo" in table and "nord" in table
    audit = users(config, "audit", "list", "--format", "csv").stdout
    assert "commune=nord" in audit
