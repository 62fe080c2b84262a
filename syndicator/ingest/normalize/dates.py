"""Item dates: the forms Vietnamese portals and papers really write, read as aware UTC.

A date without a zone is read in the feed's timezone (Asia/Ho_Chi_Minh by default), never as
UTC: that would put every such article seven hours off.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from syndicator.records import Flag

MAX_AHEAD = timedelta(days=1)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_NAMED_ZONES = {
    "z": 0,
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "ict": 7 * 60,
    "est": -5 * 60,
    "edt": -4 * 60,
    "cst": -6 * 60,
    "cdt": -5 * 60,
    "mst": -7 * 60,
    "mdt": -6 * 60,
    "pst": -8 * 60,
    "pdt": -7 * 60,
}
# "GMT+7", "GMT+07:00", "UTC+7": an offset after a zone name, hours of one digit allowed.
_ZONE = r"(?P<zone>(?i:GMT|UTC?)\s*[+-]\d{1,2}(?::?\d{2})?|[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,5})?"
_OFFSET = re.compile(
    r"(?:(?i:GMT|UTC?)\s*)?(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?"
)
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"

# "Mon, 05 Oct 2026 11:07:00 +07", "5 Oct 26 14:10 GMT", "Mon, 05 Oct 2026"
_RFC822 = re.compile(
    r"(?:[A-Za-z]+\.?,?\s*)?(?P<day>\d{1,2})[\s-]+(?P<month>[A-Za-z]{3,9})\.?[\s-]+"
    rf"(?P<year>\d{{4}}|\d{{2}})(?:[\sT]+{_TIME})?\s*{_ZONE}"
)
# "2026-10-05T09:25:00+07:00", "2026-10-05 09:25:00", "2026-10-05"
_ISO = re.compile(
    rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:[T\s]+{_TIME})?\s*{_ZONE}"
)
# "10/2/2026 9:25:00 AM" (Tuổi Trẻ, US order) and "05/10/2026 09:25" (Vietnamese order)
_NUMERIC = re.compile(
    r"(?P<p1>\d{1,2})[/.-](?P<p2>\d{1,2})[/.-](?P<year>\d{4})"
    rf"(?:[\sT,]+{_TIME}\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?\s*{_ZONE}"
)
# "09:25 - 05/10/2026", as some portals print it
_TIME_FIRST = re.compile(
    rf"{_TIME}\s*[-,]?\s*(?P<p1>\d{{1,2}})/(?P<p2>\d{{1,2}})/(?P<year>\d{{4}})"
)
# A zone written after a time of day: only then is feedparser's own reading trusted.
_HAS_ZONE = re.compile(
    r"\d:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*(?:Z|[+-]\d{2}:?\d{2}|GMT|UTC?|[ECMP][SD]T)\s*$",
    re.IGNORECASE,
)


def parse_date(raw: str, tz: tzinfo) -> tuple[datetime, bool] | None:
    """Read one date string; returns (aware UTC datetime, whether `tz` had to be assumed)."""
    text = raw.strip()
    for pattern, read in _READERS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return read(match.groupdict(), tz)
            except (ValueError, OverflowError):
                return None
    return None


def _read_rfc822(fields: dict[str, str | None], tz: tzinfo) -> tuple[datetime, bool] | None:
    month = _MONTHS.get((fields["month"] or "").lower())
    if month is None:
        return None
    return _build(_full_year(fields["year"]), month, int(fields["day"] or 0), fields, tz)


def _read_iso(fields: dict[str, str | None], tz: tzinfo) -> tuple[datetime, bool] | None:
    return _build(
        int(fields["year"] or 0), int(fields["month"] or 0), int(fields["day"] or 0), fields, tz
    )


def _read_numeric(fields: dict[str, str | None], tz: tzinfo) -> tuple[datetime, bool] | None:
    first, second = int(fields["p1"] or 0), int(fields["p2"] or 0)
    us_order = bool(fields.get("ampm"))  # a 12-hour clock means an American writer
    if first > 12:
        us_order = False
    elif second > 12:
        us_order = True
    month, day = (first, second) if us_order else (second, first)
    return _build(int(fields["year"] or 0), month, day, fields, tz)


_READERS = (
    (_RFC822, _read_rfc822),
    (_ISO, _read_iso),
    (_NUMERIC, _read_numeric),
    (_TIME_FIRST, _read_numeric),
)


def _full_year(text: str | None) -> int:
    year = int(text or 0)
    if len(text or "") == 2:  # RFC 2822: 00-49 are 2000s, 50-99 are 1900s
        year += 2000 if year < 50 else 1900
    return year


def _build(
    year: int, month: int, day: int, fields: dict[str, str | None], tz: tzinfo
) -> tuple[datetime, bool] | None:
    hour = int(fields.get("hour") or 0)
    ampm = (fields.get("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    wall = datetime(
        year, month, day, hour, int(fields.get("minute") or 0), int(fields.get("second") or 0)
    )
    offset = _zone_minutes(fields.get("zone"))
    if offset is None:
        return wall.replace(tzinfo=tz).astimezone(UTC), True
    return (wall - timedelta(minutes=offset)).replace(tzinfo=UTC), False


def _zone_minutes(zone: str | None) -> int | None:
    if not zone:
        return None
    offset = _OFFSET.fullmatch(zone)
    if offset:
        minutes = int(offset["hours"]) * 60 + int(offset["minutes"] or 0)
        if minutes > 14 * 60:
            raise ValueError(f"offset out of range: {zone}")
        return -minutes if offset["sign"] == "-" else minutes
    return _NAMED_ZONES.get(zone.lower())  # an unknown name is no better than none


def item_date(
    entry: Mapping[str, Any], *, fetched_at: datetime, tz: tzinfo
) -> tuple[datetime | None, frozenset[Flag]]:
    """The item's publication date (published, else updated) as aware UTC, with its flags."""
    for key in ("published", "updated", "created"):
        raw, parsed = _own(entry, key), _own(entry, f"{key}_parsed")
        if raw or parsed:
            break
    else:
        return None, frozenset({Flag.DATE_MISSING})
    found = _read_entry_date(raw if isinstance(raw, str) else "", parsed, tz)
    if found is None:
        return None, frozenset({Flag.DATE_MISSING})
    return _clamp(*found, fetched_at=fetched_at)


def _own(entry: Mapping[str, Any], key: str) -> Any:
    # FeedParserDict answers "published" with "updated" (and a DeprecationWarning) when the
    # entry has no published date; ask the plain dict so each key means what it says.
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _read_entry_date(raw: str, parsed: Any, tz: tzinfo) -> tuple[datetime, bool] | None:
    struct = parsed if isinstance(parsed, time.struct_time) else None
    try:
        if struct is not None and _HAS_ZONE.search(raw):
            return datetime.fromtimestamp(calendar.timegm(struct), UTC), False
        ours = parse_date(raw, tz) if raw else None
        if ours is not None or struct is None:
            return ours
        # feedparser understood a form we do not, and (having no zone) took it as UTC:
        # its wall-clock fields are right, only the zone is wrong.
        wall = datetime(*struct[:6])
        return wall.replace(tzinfo=tz).astimezone(UTC), True
    except (ValueError, OverflowError, OSError):
        return None


def _clamp(
    published: datetime, assumed: bool, *, fetched_at: datetime
) -> tuple[datetime, frozenset[Flag]]:
    flags = {Flag.DATE_ASSUMED_TZ} if assumed else set()
    now = fetched_at.astimezone(UTC) if fetched_at.tzinfo else fetched_at.replace(tzinfo=UTC)
    if published > now + MAX_AHEAD:
        published = now
        flags.add(Flag.DATE_CLAMPED)
    return published, frozenset(flags)
