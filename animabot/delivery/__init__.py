"""Getting messages out: the sending window, pacing and the outbox worker."""
