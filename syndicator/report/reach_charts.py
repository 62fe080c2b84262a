"""The reach page's charts as inline SVG (issue #14): engagement per post by local hour of the
day and by weekday, and a post's sparkline of engagement by age. Like charts.py: no script, no
`style` attribute (the admin page's CSP), every text escaped where it enters the markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from storage.reach_views import Slot
from syndicator.i18n import translations
from syndicator.report.charts import BAR, DASH, MUTED, WIDTH, _at, _e, _svg, _text
from syndicator.report.numbers import number

PLOT = 110  # the bars' height at the busiest slot
LEFT, TOP, BOTTOM = 4, 14, 34  # room for the rate over a bar and the labels under it
UNMEASURED = "#dddddd"  # a slot with posts but no engagement known: a stub, not a zero bar
SPARK_W, SPARK_H = 120, 28


def by_hour(hours: Sequence[Slot], language: str = "vi") -> Markup:
    """Engagement per measured post of the posts published in each local hour (0-23)."""
    _ = translations(language).gettext
    labels = [f"{hour:02d}" for hour in range(24)]
    hints = [f"{hour:02d}:00{DASH}{(hour + 1) % 24:02d}:00" for hour in range(24)]
    title = _("Engagement per post by the hour it was published (local time)")
    return _columns("hours", title, hours, labels, hints, language, every=3)


def by_weekday(days: Sequence[Slot], language: str = "vi") -> Markup:
    """Engagement per measured post of the posts published on each weekday, Monday first."""
    _ = translations(language).gettext
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    title = _("Engagement per post by the weekday it was published")
    return _columns("weekdays", title, days, names, names, language, every=1)


def _columns(
    kind: str,
    title: str,
    slots: Sequence[Slot],
    labels: Sequence[str],
    hints: Sequence[str],
    language: str,
    every: int,
) -> Markup:
    _ = translations(language).gettext
    rates = [_rate(slot) for slot in slots]
    top = max((rate for rate in rates if rate is not None), default=0.0) or 1.0
    width = (WIDTH - LEFT) / len(slots)
    parts = []
    for index, (slot, rate) in enumerate(zip(slots, rates, strict=True)):
        x = LEFT + index * width
        hint = _("%(when)s: %(posts)s posts, %(known)s with engagement known") % {
            "when": hints[index],
            "posts": number(slot.posts, language),
            "known": number(slot.engagement.known, language),
        }
        if rate is not None:
            hint += "; " + _("%(rate)s per post") % {"rate": number(rate, language)}
        parts.append(_column(x, width, rate, top, slot.posts > 0, hint, language))
        if index % every == 0:
            parts.append(_text(x + width / 2, TOP + PLOT + 14, labels[index], "middle", MUTED))
    parts.append(_text(0, TOP + PLOT + 30, _("grey: posts with no engagement known"), fill=MUTED))
    return _svg(kind, title, TOP + PLOT + BOTTOM, parts)


def _rate(slot: Slot) -> float | None:
    known = slot.engagement.known
    return slot.engagement.total / known if known else None


def _column(
    x: float, width: float, rate: float | None, top: float, posted: bool, hint: str, language: str
) -> str:
    """One slot's bar (its rate over the busiest slot's), or a grey stub where posts gave no
    engagement, or nothing where nothing was published."""
    if rate is None:
        if not posted:
            return f"<g><title>{_e(hint)}</title></g>"
        stub = _box(x + 1, TOP + PLOT - 3, width - 2, 3, UNMEASURED)
        return f"<g><title>{_e(hint)}</title>{stub}</g>"
    height = max(1.0, PLOT * rate / top)
    bar = _box(x + 1, TOP + PLOT - height, width - 2, height, BAR)
    shown = number(rate, language) if width >= 30 else ""
    label = _text(x + width / 2, TOP + PLOT - height - 3, shown, "middle") if shown else ""
    return f"<g><title>{_e(hint)}</title>{bar}{label}</g>"


def _box(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{_at(x)}" y="{_at(y)}" width="{_at(width)}" height="{_at(height)}" '
        f'fill="{fill}"/>'
    )


def sparkline(points: Sequence[tuple[str, int | None]], language: str = "vi") -> Markup:
    """A post's engagement at each age collected ((age label, value), youngest first) as a
    small line; an unknown value leaves a gap and is named in the hover text."""
    _ = translations(language).gettext
    known = [value for _label, value in points if value is not None]
    said = ", ".join(
        f"{label}: {_('unknown') if value is None else number(value, language)}"
        for label, value in points
    )
    title = _("Engagement by age: %(values)s") % {"values": said or _("not collected yet")}
    if not known:
        return _spark_svg(title, "")
    top = max(known) or 1
    step = (SPARK_W - 8) / max(1, len(points) - 1)
    runs: list[list[str]] = [[]]
    dots = []
    for index, (_label, value) in enumerate(points):
        if value is None:
            runs.append([])
            continue
        x, y = 4 + index * step, SPARK_H - 4 - (SPARK_H - 8) * value / top
        runs[-1].append(f"{_at(x)},{_at(y)}")
        dots.append(f'<circle cx="{_at(x)}" cy="{_at(y)}" r="2" fill="{BAR}"/>')
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{BAR}" stroke-width="1.5"/>'
        for run in runs
        if len(run) > 1
    )
    return _spark_svg(title, lines + "".join(dots))


def _spark_svg(title: str, body: str) -> Markup:
    return Markup(  # noqa: S704 - the title is escaped; the rest is our own numbers
        f'<svg class="sparkline" role="img" aria-label="{_e(title)}" width="{SPARK_W}" '
        f'height="{SPARK_H}" viewBox="0 0 {SPARK_W} {SPARK_H}"><title>{_e(title)}</title>'
        f'<line x1="0" x2="{SPARK_W}" y1="{SPARK_H - 4}" y2="{SPARK_H - 4}" '
        f'stroke="{MUTED}" stroke-width="0.5"/>{body}</svg>'
    )
