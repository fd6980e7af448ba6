"""The dashboard territorial agents use to read anonymised figures, and the back-office's
sign-in, roles and audit log."""
