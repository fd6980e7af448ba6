"""Passwords hashed with argon2id (argon2-cffi's defaults follow RFC 9106's advice).

Checking an unknown name still hashes once, against a dummy hash, so the time a failed
sign-in takes does not tell whether the account exists.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import AnimabotError

MIN_LENGTH = 12
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anybody has")


class WeakPasswordError(AnimabotError):
    """A password too short to be accepted."""


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(
            f"the password must have at least {MIN_LENGTH} characters (a few words in a "
            "row are easy to remember and hard to guess)")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing hash (no local password) never does."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at sign-in)."""
    return _hasher.check_needs_rehash(password_hash)
