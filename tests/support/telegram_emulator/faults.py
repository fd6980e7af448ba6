"""Scripted faults: fail, delay or drop the next calls to a method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["fail", "delay", "close"]


@dataclass
class Fault:
    """One scripted fault, used up after `remaining` matching calls."""

    kind: FaultKind
    method: str
    remaining: int
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    chat_id: int | str | None = None
    seconds: float = 0.0


class FaultPlan:
    """The faults still to inject, matched in the order they were scripted."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Script a fault; method names match case-insensitively, as in the Bot API."""
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        fault.method = fault.method.lower()
        self._faults.append(fault)

    def take(self, kind: FaultKind, method: str, chat_id: object) -> Fault | None:
        """Use up one matching fault, if any."""
        for fault in self._faults:
            if fault.kind != kind or fault.method != method.lower():
                continue
            if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining == 0:
                self._faults.remove(fault)
            return fault
        return None

    def clear(self) -> None:
        """Drop every scripted fault."""
        self._faults.clear()
