"""A listing item's date: the text or attribute a portal prints, as the string the feed date
reader (normalize.dates) understands, so clamping, zones and flags work as they do for feeds."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from selectolax.lexbor import LexborNode

from syndicator.ingest.normalize.dates import parse_date

_DATE_ATTRIBUTES = ("datetime", "content", "title")
_TEXT_LIMIT = 200  # a date is short; a long text is only searched at its start
# strptime directives → what they match, so the part of a text that looks like the date can be
# picked out of "Thứ hai, 07/12/2026 08:30" before strptime (which wants the whole string).
_DIRECTIVES = {
    "d": r"\d{1,2}",
    "m": r"\d{1,2}",
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{2}",
    "S": r"\d{2}",
    "f": r"\d{1,6}",
    "p": r"[AaPp]\.?[Mm]\.?",
    "b": r"[A-Za-z]{3,9}\.?",
    "B": r"[A-Za-z]{3,9}",
    "a": r"[A-Za-z]{2,9}\.?",
    "A": r"[A-Za-z]{2,9}",
    "z": r"(?:Z|[+-]\d{2}:?\d{2})",
    "Z": r"[A-Za-z]{1,5}",
    "j": r"\d{1,3}",
    "%": "%",
}
_DIRECTIVE = re.compile(r"%(.)|(\s+)|([^%\s]+)")
# Date shapes the feed reader knows, searched for inside a longer text.
_DATE_LIKE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?\s*[-,]?\s*\d{1,2}/\d{1,2}/\d{4}"  # "09:25 - 05/10/2026"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:[\sT,]+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
    r"|\d{4}-\d{1,2}-\d{1,2}(?:[T\s]+\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
)


def node_date(node: LexborNode, date_format: str | None) -> str | None:
    """The date the element states, as a string for the feed date reader; None when none."""
    attributes = node.attributes
    candidates = [attributes.get(name) for name in _DATE_ATTRIBUTES]
    candidates.append(node.text(separator=" "))
    for raw in candidates:
        found = read_date_text(raw or "", date_format)
        if found is not None:
            return found
    return None


def read_date_text(raw: str, date_format: str | None) -> str | None:
    """`raw` read with `date_format` (strptime) when it fits, else the date-looking part the
    feed date reader understands; None when there is neither."""
    text = " ".join(raw[:_TEXT_LIMIT].split())
    if not text:
        return None
    if date_format:
        written = _with_format(text, date_format)
        if written is not None:
            return written
    for candidate in (text, *(m.group() for m in _DATE_LIKE.finditer(text))):
        if parse_date(candidate, UTC) is not None:
            return candidate
    return None


def _with_format(text: str, date_format: str) -> str | None:
    match = _format_pattern(date_format).search(text)
    if match is None:
        return None
    try:
        stamp = datetime.strptime(" ".join(match.group().split()), " ".join(date_format.split()))
    except ValueError:
        return None
    # Naive stays naive: the feed reader then reads it in the feed's timezone and flags it.
    return stamp.isoformat(sep=" ")


@lru_cache(maxsize=64)
def _format_pattern(date_format: str) -> re.Pattern[str]:
    parts = []
    for directive, space, literal in _DIRECTIVE.findall(date_format):
        if space:
            parts.append(r"\s+")
        elif literal:
            parts.append(re.escape(literal))
        else:
            parts.append(_DIRECTIVES.get(directive, r"\S+?"))
    return re.compile(r"(?<!\d)" + "".join(parts) + r"(?!\d)")
