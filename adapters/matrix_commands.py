"""``animabot matrix status|trust-reset``: the bot's encryption set-up, for an administrator.

Registered in the ``animabot.commands`` entry-point group, so that the core's CLI never
imports an adapter. Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.matrix.settings import MatrixSettings, matrix_settings
from animabot.cli.common import ConfigOption, chosen_commune, fail, out, settings_from
from animabot.config.communes import bot_settings, own_bot
from animabot.errors import AnimabotError

NOT_INSTALLED = "the Matrix extra is not installed: pip install 'animabot[matrix]'"

app = typer.Typer(help="Matrix end-to-end encryption: the bot's identity and trust in residents.",
                  no_args_is_help=True)


def _matrix_settings(config: Path | None) -> MatrixSettings:
    """The deployment's bot; run as a commune (``--commune``), that commune's own bot."""
    try:
        settings = settings_from(config)
        commune = chosen_commune()
        if commune is not None:
            if not own_bot(settings, "matrix", commune):
                fail(f"commune {commune} has no Matrix bot of its own ([communes.{commune}."
                     "matrix]): its rooms use the deployment's; run without --commune")
            settings = bot_settings(settings, "matrix", commune)
        return matrix_settings(settings)
    except AnimabotError as exc:
        fail(str(exc))


@app.command()
def status(config: ConfigOption = None) -> None:
    """Where the keys are, the bot's cross-signing identity and what trust-on-first-use
    has recorded. Reads files only: safe while the bot runs."""
    try:
        from adapters.matrix.cross_signing import CrossSigningKeys, load_or_create_seeds
        from adapters.matrix.trust_book import TrustBook
    except ImportError:
        fail(NOT_INSTALLED)

    matrix = _matrix_settings(config)
    out.print(f"encryption: {'on' if matrix.encryption else 'off'}, trust = {matrix.trust}")
    store = matrix.store_path
    stores = sorted(p.name for p in store.glob("*.db")) if store.is_dir() else []
    out.print(f"key store: {store} ({', '.join(stores) if stores else 'no device store yet'})")
    seeds = matrix.cross_signing_seeds_file
    if not matrix.cross_signing:
        out.print("cross-signing: off (strict Element clients exclude the bot)")
    elif seeds.exists():
        try:
            master = CrossSigningKeys.from_seeds(load_or_create_seeds(seeds)).master.public
        except AnimabotError as exc:
            fail(str(exc))
        out.print(f"cross-signing: identity {master} (from {seeds})")
    else:
        out.print(f"cross-signing: {seeds} is made at the next start")
    book = TrustBook(store / TrustBook.FILE)
    out.print(f"pinned identities: {len(book.pins)}; devices held back: {len(book.held)}")


@app.command("trust-reset")
def trust_reset(
    user_id: Annotated[str, typer.Argument(help="The resident's Matrix id, @name:server.")],
    config: ConfigOption = None,
) -> None:
    """Accept a resident's new identity (after they reset their cross-signing, say): the
    next message the bot sends them pins the identity they have then."""
    try:
        from adapters.matrix.trust_book import TrustBook
    except ImportError:
        fail(NOT_INSTALLED)

    matrix = _matrix_settings(config)
    path = matrix.store_path / TrustBook.FILE
    if not path.exists():
        fail(f"no trust record in {matrix.store_path}: nothing to reset")
    if TrustBook(path).forget(user_id):
        out.print(f"{user_id}: identity forgotten; the next message pins their current one")
    else:
        out.print(f"{user_id}: no pinned identity (nothing to reset)")
