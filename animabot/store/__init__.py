"""SQLite storage: one file, WAL mode, versioned migrations, SQL kept in repositories."""
