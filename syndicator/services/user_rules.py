"""The rules for users, as pure functions: what a name may be, what a password must be, and when
failed logins throttle a name (syndicator/services/users.py and sign_in.py apply them).

Names are what people in a Vietnamese office call each other ("Nguyễn Thị An", "an.nt"): up to
64 letters (any script, with their marks), digits, spaces and . - _ @ ', starting with a letter
or a digit. They are stored in NFC with their case (the audit trail shows them as written), and
looked up case-insensitively, so "An" and "an" are one user. Passwords are compared in NFC too:
the same Vietnamese password typed on a keyboard that composes letters and one that does not
gives the same hash.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from syndicator.errors import SyndicatorError

NAME_MAX = 64
PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # hashing is cheap per character, but a megabyte "password" is an attack
NAME_PUNCTUATION = frozenset(" .-_@'")

# The login rate limit: failures within WINDOW for one name from one address, and for the name
# from anywhere. A failure exactly WINDOW old no longer counts.
WINDOW = timedelta(minutes=15)
PER_ADDRESS = 5
PER_NAME = 20


class UserError(SyndicatorError):
    """A user cannot be added or changed as asked; the message says why, in Vietnamese and
    English."""


def normalized_name(name: str) -> str:
    """The name as stored: NFC, surrounding spaces removed, inner runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def name_key(name: str) -> str:
    """What a name is looked up and rate-limited by: the normalized name, case-folded."""
    return unicodedata.normalize("NFC", normalized_name(name).casefold())


def checked_name(name: str) -> str:
    """The normalized name, or UserError saying what is wrong with it."""
    clean = normalized_name(name)
    if not clean:
        raise UserError("Tên đăng nhập không được để trống / The name must not be empty.")
    if len(clean) > NAME_MAX or len(name_key(clean)) > NAME_MAX:
        raise UserError(
            f"Tên đăng nhập dài tối đa {NAME_MAX} ký tự / "
            f"The name must be at most {NAME_MAX} characters long."
        )
    if not all(_name_character(c) for c in clean) or not clean[0].isalnum():
        raise UserError(
            "Tên đăng nhập chỉ gồm chữ, số, dấu cách và . - _ @ ', bắt đầu bằng chữ hoặc số / "
            "The name may hold letters, digits, spaces and . - _ @ ' only, "
            "and must start with a letter or a digit."
        )
    return clean


def _name_character(character: str) -> bool:
    # Letters and digits of any script, the marks Vietnamese letters may carry, and a little
    # punctuation: nothing invisible, no control characters, nothing that means markup.
    category = unicodedata.category(character)
    return category[0] in "LNM" or character in NAME_PUNCTUATION


def normalized_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def check_password(password: str, name: str) -> None:
    """UserError unless the password is long enough and is not the name."""
    clean = normalized_password(password)
    if len(clean) < PASSWORD_MIN:
        raise UserError(
            f"Mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự / "
            f"The password must be at least {PASSWORD_MIN} characters long."
        )
    if len(clean) > PASSWORD_MAX:
        raise UserError(
            f"Mật khẩu dài tối đa {PASSWORD_MAX} ký tự / "
            f"The password must be at most {PASSWORD_MAX} characters long."
        )
    if name_key("".join(clean.split())) == "".join(name_key(name).split()):
        raise UserError(
            "Mật khẩu không được trùng với tên đăng nhập / The password must not be the name."
        )


def throttled_for(
    failures: list[tuple[str, datetime]], address: str, now: datetime
) -> timedelta | None:
    """How long a login for a name must wait, from that name's failures within the window as
    (address, at), newest first; None when it may be tried now."""
    everywhere = [at for _, at in failures]
    from_here = [at for where, at in failures if where == address]
    waits = [
        times[limit - 1] + WINDOW - now
        for times, limit in ((from_here, PER_ADDRESS), (everywhere, PER_NAME))
        if len(times) >= limit
    ]
    return max(waits) if waits else None
