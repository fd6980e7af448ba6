"""The trust-on-first-use record: pinned identities and devices held back. No nio import, so
that ``animabot matrix`` commands read it without loading the Matrix stack."""

from __future__ import annotations

import json
from pathlib import Path


class TrustBook:
    """Pinned identities (user id → master key) and the devices held back, in a JSON file
    inside the key store: the adapter's own place, backed up with it."""

    FILE = "trust.json"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pins: dict[str, str] = {}
        self.held: set[tuple[str, str]] = set()
        self.load()

    def load(self) -> None:
        data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        self.pins = dict(data.get("pins", {}))
        self.held = {(user, device) for user, device in data.get("held", [])}

    def save(self) -> None:
        data = {"pins": self.pins, "held": sorted(self.held)}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        temporary.replace(self.path)

    def forget(self, user_id: str) -> bool:
        """Drop a pin: the next send pins the identity the resident has then."""
        known = self.pins.pop(user_id, None) is not None
        self.save()
        return known
