"""Times chosen rather than typed: "at the start", "N days after the start at HH:MM", "after
step X closes (plus N hours)", or, for what the choices cannot say, the scenario syntax
itself. Each choice maps onto :mod:`animabot.scenario.timespec`'s syntax and back."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ...scenario.timespec import TimeSpecError, parse_timespec


class TimeChoice(StrEnum):
    NONE = "none"  # an optional time left out (a reminder, a training's close)
    START = "start"
    DAYS = "days"
    AFTER = "after"
    TEXT = "text"  # the scenario syntax, typed: e.g. "+2h" or "after envie +1d 09:00"


def spec_of(fields: Mapping[str, str], name: str) -> str | None:
    """The scenario time of the chooser called ``name`` (``None``: left out)."""
    choice = fields.get(f"{name}.mode", TimeChoice.NONE)
    if choice == TimeChoice.START:
        return "+0"
    if choice == TimeChoice.DAYS:
        days = fields.get(f"{name}.days", "").strip() or "0"
        clock = fields.get(f"{name}.clock", "").strip()
        return f"+{days}d {clock}".strip() if clock else f"+{days}d"
    if choice == TimeChoice.AFTER:
        step = fields.get(f"{name}.step", "").strip()
        hours = fields.get(f"{name}.hours", "").strip()
        spec = f"after {step} closes"
        return f"{spec} +{hours}h" if hours and hours != "0" else spec
    if choice == TimeChoice.TEXT:
        return fields.get(f"{name}.text", "").strip()
    return None


def choice_of(spec: str | None, name: str) -> dict[str, str]:
    """The chooser's fields showing ``spec``: a choice when one says it exactly, else the
    syntax as typed."""
    if not spec:
        return {f"{name}.mode": TimeChoice.NONE}
    try:
        parsed = parse_timespec(spec)
    except TimeSpecError:
        return {f"{name}.mode": TimeChoice.TEXT, f"{name}.text": spec}
    offset = parsed.offset
    if parsed.is_campaign_start:
        return {f"{name}.mode": TimeChoice.START}
    if parsed.after_step is None and not offset.hours and not offset.minutes:
        clock = offset.at.strftime("%H:%M") if offset.at else ""
        return {f"{name}.mode": TimeChoice.DAYS, f"{name}.days": str(offset.days),
                f"{name}.clock": clock}
    if parsed.after_close and parsed.after_step and not offset.days and not offset.minutes \
            and offset.at is None:
        return {f"{name}.mode": TimeChoice.AFTER, f"{name}.step": parsed.after_step,
                f"{name}.hours": str(offset.hours) if offset.hours else ""}
    return {f"{name}.mode": TimeChoice.TEXT, f"{name}.text": spec}
