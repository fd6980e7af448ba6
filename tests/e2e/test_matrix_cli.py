"""``animabot matrix status|trust-reset`` as real processes, on the files the bot keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.matrix.cross_signing import CrossSigningKeys, load_or_create_seeds
from adapters.matrix.trust_book import TrustBook

from .conftest import animabot

pytestmark = pytest.mark.slow


def test_status_shows_the_identity_and_trust_reset_forgets_a_pin(
    config: Path, tmp_path: Path,
) -> None:
    store, seeds = tmp_path / "store", tmp_path / "seeds.json"
    store.mkdir()
    config.write_text(config.read_text(encoding="utf-8") + (
        f'\n[matrix]\nencryption = true\nstore_path = "{store}"\n'
        f'cross_signing_seeds_file = "{seeds}"\n'), encoding="utf-8")
    base = ["--config", str(config)]
    assert "is made at the next start" in animabot("matrix", "status", *base).stdout
    master = CrossSigningKeys.from_seeds(load_or_create_seeds(seeds)).master.public
    book = TrustBook(store / TrustBook.FILE)
    book.pins["@alice:example.org"] = "MASTER"
    book.held.add(("@alice:example.org", "NEW"))
    book.save()
    shown = animabot("matrix", "status", *base).stdout
    assert f"identity {master}" in shown
    assert "pinned identities: 1; devices held back: 1" in shown
    reset = animabot("matrix", "trust-reset", "@alice:example.org", *base).stdout
    assert "identity forgotten" in reset
    assert TrustBook(store / TrustBook.FILE).pins == {}
    again = animabot("matrix", "trust-reset", "@alice:example.org", *base).stdout
    assert "nothing to reset" in again


def test_run_as_a_commune_status_reads_that_communes_own_bot(
    config: Path, tmp_path: Path,
) -> None:
    own = tmp_path / "villeneuve-store"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'id = "centre"\n', 'id = "centre"\ncommune = "villeneuve"\n').replace(
        'id = "gare"\n', 'id = "gare"\ncommune = "bourg"\n') + (
        '\n[communes.villeneuve]\nname = "Villeneuve"\n[communes.villeneuve.matrix]\n'
        'enabled = true\nhomeserver = "https://matrix.villeneuve.example"\n'
        f'user_id = "@animabot:villeneuve.example"\nstore_path = "{own}"\n'
        'access_token = "syt_villeneuve"\nencryption = false\n'
        '[communes.bourg]\nname = "Bourg"\n'), encoding="utf-8")
    base = ["--config", str(config)]
    shown = animabot("--commune", "villeneuve", "matrix", "status", *base).stdout
    assert f"key store: {own} " in shown
    refused = animabot("--commune", "bourg", "matrix", "status", *base, check=False)
    assert refused.returncode == 1
    assert "commune bourg has no Matrix bot of its own" in refused.stderr
