"""Campaign figures as rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import format_decimal
from rich.console import Group
from rich.markup import escape
from rich.table import Table

from ..chat.registry import platform_label
from ..store.paper_answers import PAPER
from .breakdown import ShareFigures
from .campaign import CampaignFigures
from .overview import CampaignSummary, NeighbourhoodFigures
from .suppression import format_cell


def hours_fr(value: float) -> str:
    """``22,0 h``: French decimal comma (Babel), never ``-0,0``."""
    return f"{format_decimal(max(0.0, value), '0.0', locale='fr')}\u00a0h"


def channel_label(name: str) -> str:
    """A channel as agents read it: a platform's name, or « Papier » for the answers
    collected on paper or at a public meeting; an adapter's own label otherwise (« Courriel »,
    « SMS »), as the dashboard shows it."""
    if name == PAPER:
        return "Papier"
    return platform_label(name)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def figures_tables(figures: CampaignFigures) -> Group:
    k = figures.min_cell
    parts: list[Table] = []
    def hood_name(hood: str) -> str:
        return figures.neighbourhood_names.get(hood, hood)

    for poll in figures.polls:
        answers = Table(title=f"Sondage « {escape(poll.question)} »", title_justify="left")
        answers.add_column("Réponse")
        answers.add_column("Réponses", justify="right")
        for label, cell in zip(poll.options, poll.answers.cells, strict=True):
            answers.add_row(escape(label), format_cell(cell, k))
        answers.add_row("[b]Total répondants[/b]", format_cell(poll.answers.total, k))
        if poll.results_hidden:
            answers.caption = "Résultats masqués jusqu'à la fin du sondage (live_results = false)"
        parts.append(answers)
        participation = Table(title="Participation", title_justify="left")
        participation.add_column("Indicateur")
        participation.add_column("Valeur", justify="right")
        participation.add_row("Portée (membres des groupes à l'envoi)",
                              "—" if poll.reach is None else str(poll.reach))
        participation.add_row("Groupes", str(poll.chats))
        participation.add_row("Répondants", format_cell(poll.respondents, k))
        participation.add_row("Taux de réponse", _percent(poll.response_rate))
        participation.add_row("Habitants relancés en privé", format_cell(poll.reminded, k))
        participation.add_row("Réponses après la relance", format_cell(poll.after_reminder, k))
        if poll.median_hours_to_answer is not None and poll.quartiles_hours:
            low, high = poll.quartiles_hours
            participation.add_row(
                "Délai de réponse (médiane, quartiles)",
                f"{hours_fr(poll.median_hours_to_answer)} ({hours_fr(low)} – {hours_fr(high)})",
            )
        parts.append(participation)
        if len(poll.platforms) > 1 or PAPER in poll.platforms:
            parts.append(_split_table("Par plateforme", "Plateforme", poll.platforms,
                                      channel_label, k))
        if len(poll.neighbourhoods) > 1:
            parts.append(_split_table("Par quartier", "Quartier", poll.neighbourhoods,
                                      hood_name, k))
    for training in figures.trainings:
        table = Table(title=f"Formation « {escape(training.title)} »", title_justify="left")
        table.add_column("Indicateur")
        table.add_column("Valeur", justify="right")
        table.add_row("Commencée", format_cell(training.started, k))
        table.add_row("Terminée", format_cell(training.completed, k))
        table.add_row("Taux d'achèvement", _percent(training.completion_rate))
        table.add_row("Bonnes réponses au quiz", _percent(training.quiz_success_rate))
        parts.append(table)
    return Group(*parts)


def _split_table(title: str, column: str, shares: dict[str, ShareFigures],
                 label: Callable[[str], str], k: int) -> Table:
    split = Table(title=title, title_justify="left")
    for heading in (column, "Groupes", "Portée", "Répondants", "Taux"):
        split.add_column(heading, justify="left" if heading == column else "right")
    for name, share in shares.items():
        split.add_row(escape(label(name)), str(share.chats),
                      "—" if share.reach is None else str(share.reach),
                      format_cell(share.respondents, k), _percent(share.response_rate))
    return split


def overview_table(summaries: list[CampaignSummary], min_cell: int) -> Table:
    table = Table(title="Campagnes", title_justify="left")
    for column in ("Id", "Titre", "Statut", "Début", "Quartiers", "Portée", "Répondants",
                   "Taux", "Formation terminée"):
        table.add_column(column)
    for s in summaries:
        table.add_row(escape(s.id), escape(s.title), s.status, f"{s.start_at:%Y-%m-%d %H:00}",
                      escape(", ".join(s.neighbourhoods)), "—" if s.reach is None else str(s.reach),
                      format_cell(s.respondents, min_cell), _percent(s.response_rate),
                      _percent(s.completion_rate))
    return table


def neighbourhood_table(figures: NeighbourhoodFigures, min_cell: int) -> Group:
    head = Table(title=f"Quartier « {escape(figures.name)} » ({escape(figures.id)})",
                 title_justify="left")
    head.add_column("Indicateur")
    head.add_column("Valeur", justify="right")
    for platform, count in figures.chats.items():
        head.add_row(f"Discussions {channel_label(platform)}", str(count))
    head.add_row("Habitants joignables en privé",
                 format_cell(figures.residents_in_private, min_cell))
    trend = Table(title="Évolution d'une campagne à l'autre", title_justify="left")
    for column in ("Campagne", "Début", "Portée", "Répondants", "Taux"):
        trend.add_column(column)
    for c in figures.campaigns:
        trend.add_row(escape(f"{c.title} ({c.id})"), f"{c.start_at:%Y-%m-%d}",
                      "—" if c.reach is None else str(c.reach),
                      format_cell(c.respondents, min_cell), _percent(c.response_rate))
    return Group(head, trend)
