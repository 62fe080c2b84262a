"""How secrets are kept: passwords hashed with argon2, set-up links and API tokens as SHA-256
digests. Neither a password nor a token is ever logged, stored or raised."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from syndicator.services.user_rules import normalized_password

# argon2id with the library's current parameters; a hash made under older ones is redone at
# the next successful login. Read at each call, so tests can swap in a cheaper one.
HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return HASHER.hash(normalized_password(password))


def password_matches(hashed: str | None, password: str) -> bool:
    """Whether the password matches; without a hash (no such user) one is checked anyway, so
    an unknown name takes as long as a wrong password."""
    try:
        return HASHER.verify(hashed or _stand_in_hash(), normalized_password(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hashed: str) -> bool:
    """Whether the hash was made under other argon2 parameters than HASHER's."""
    return HASHER.check_needs_rehash(hashed)


def digest(token: str) -> str:
    """A random token's SHA-256: enough for 256 random bits, which cannot be guessed back."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@cache
def _stand_in_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))
