"""Run a module's tests on both backends: ``from ..backends import both_backends``.

The fixture replaces ``storage_backend`` (SQLite by default) in the importing module, so its
``settings``, ``core`` and ``database`` fixtures are built once on SQLite and once on a fresh
PostgreSQL database of the session's throwaway cluster (skipped, with the reason, when
PostgreSQL is not installed)."""

from __future__ import annotations

import pytest


@pytest.fixture(name="storage_backend",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def both_backends(request: pytest.FixtureRequest) -> str:
    return str(request.param)
