"""Which language a page speaks (Vietnamese unless asked otherwise); its gettext catalogue is
syndicator.i18n's."""

from __future__ import annotations

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "lang"


def choose(asked: str | None, remembered: str | None, accept_language: str | None) -> str:
    """`?lang=` first, then the cookie a `?lang=` left, then the browser's preference."""
    for language in (asked, remembered):
        if language in LANGUAGES:
            return language
    return preferred(accept_language or "")


def preferred(accept_language: str) -> str:
    """The first language we have in an Accept-Language header, by its q weight."""
    weighted = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = _weight(params)
        if weight > 0:
            weighted.append((-weight, position, tag.split("-")[0].strip().lower()))
    for _, _, language in sorted(weighted):
        if language in LANGUAGES:
            return language
    return DEFAULT


def _weight(params: str) -> float:
    name, _, value = params.strip().partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        return float(value)
    except ValueError:
        return 0.0
