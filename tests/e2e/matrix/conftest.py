"""A Matrix world for end-to-end tests: one real Synapse per session, residents acting on it.

Fixtures: `synapse` (`SynapseServer`, session-scoped), `matrix` (`Residents`, per test) and
`new_user` (registers accounts with localparts unique on the shared server).
"""

from ...support.matrix.fixtures import matrix, new_user, synapse

__all__ = ["matrix", "new_user", "synapse"]
