"""The back-office's people: local accounts, their passwords, server-side sessions, CSRF
tokens and the sign-in throttle. The web and the CLI both go through here."""
