"""Poll options listed by an adapter carry one number, not two ("[1] 1. Oui")."""

from __future__ import annotations

from adapters.matrix.outbound import numbered
from animabot.chat.outgoing import Button, OutgoingMessage


def test_an_adapter_lists_options_under_its_own_numbers() -> None:
    buttons = ((Button("1. Oui", "a"),), (Button("✅ 2. Non", "b"),), (Button("J'accepte", "c"),))
    assert [b.unnumbered for row in buttons for b in row] == ["Oui", "✅ Non", "J'accepte"]
    lines = numbered(OutgoingMessage("Question ?", buttons=buttons))
    assert lines[1:4] == ["1. Oui", "2. ✅ Non", "3. J'accepte"]
