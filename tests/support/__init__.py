"""Test support code shared by the test levels: emulators and fakes of external services."""
