"""A real Synapse homeserver for tests, and a raw client-server API client for test residents.

`SynapseServer` runs Synapse in a subprocess on loopback with a minimal hand-written config;
`Residents` makes registered users act (create rooms, join, send, vote, kick) and reads what
happened back from `/messages`.
"""

from .residents import MatrixApiError, Residents
from .synapse import MatrixUser, SynapseServer, SynapseServerError

__all__ = ["MatrixApiError", "MatrixUser", "Residents", "SynapseServer", "SynapseServerError"]
