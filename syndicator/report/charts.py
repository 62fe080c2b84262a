"""The report's charts as inline SVG: a portal x week heatmap, items per category, a staleness
ranking. Pure functions of a Report; shared by the standalone HTML file and the admin page.

Names, agencies and categories are operator text: each goes through _e() (markupsafe's
escape) where it enters the markup; everything else is our own numbers and colours.
No `style` attribute anywhere (the admin page's CSP forbids inline style): colours are SVG
presentation attributes. Each chart is `width="100%"` over a viewBox WIDTH units wide, so it
scales to an A4 page and to a 375 px phone alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from syndicator.i18n import translations
from syndicator.report.model import Category, PortalActivity, Report
from syndicator.report.numbers import number

WIDTH = 480  # viewBox units; the admin page and the file cap it near 1:1 (about 40rem)
ROW = 16  # one portal or category per row
GAP = 2
TOP = 26  # the heading row (weeks, or the days' scale)
LEGEND = 26  # the key under a chart
INK, MUTED, STALE, FRESH, BAR = "#1b1b1b", "#555555", "#a4161a", "#1d6b2c", "#2171b5"
# Items in a week: 0 and four steps of a blue scale that stays readable in grey print.
SHADES = ("#eeeeee", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
DARK_FROM = 3  # shades from this step on carry white numbers
CATEGORY_LABEL, CATEGORY_VALUE = 165, 165  # the category chart's name and number columns
CHAR, BOLD_CHAR = 6.2, 6.8  # the mean width of a letter at font-size 11, to cut labels that fit
# The ranking's axis ends at 4x the longest threshold: one portal silent for a year would
# otherwise flatten every other bar (a cut bar still prints its true number).
STALE_SCALE = 4

DASH = "\u2013"  # the en dash of a range, "3\u20135"
Translate = Callable[[str], str]


def heatmap(report: Report, language: str = "vi") -> Markup:
    """Items per week of every portal (rows, stalest first) over Report.weeks (columns)."""
    _ = translations(language).gettext
    if not report.portals or not report.weeks:
        return _empty(_("Items per week"), _("No data for this period."))
    label_w = 150
    cell_w = min((WIDTH - label_w) / len(report.weeks), 48.0)
    top = max(count for portal in report.portals for count in portal.weekly or (0,))
    step = max(1, math.ceil(34 / cell_w))  # a "dd/mm" label every `step` columns
    parts = [
        _text(label_w + i * cell_w + cell_w / 2, TOP - 8, week.strftime("%d/%m"), anchor="middle")
        for i, week in enumerate(report.weeks)
        if i % step == 0
    ]
    for row, portal in enumerate(report.portals):
        y = TOP + row * ROW
        parts.append(_row_label(portal, label_w - 6, y, _))
        for column, (week, count) in enumerate(zip(report.weeks, portal.weekly, strict=False)):
            hint = _("%(name)s, week of %(week)s: %(count)s items") % {
                "name": portal.name,
                "week": week.strftime("%d/%m/%Y"),
                "count": number(count, language),
            }
            parts.append(_cell(label_w + column * cell_w, y, cell_w, count, top, hint, language))
    height = TOP + len(report.portals) * ROW + LEGEND
    parts.append(_shade_key(top, height - 8, language, _))
    label = _("Items per week of %(portals)s portals over %(weeks)s weeks") % {
        "portals": len(report.portals),
        "weeks": len(report.weeks),
    }
    return _svg("heatmap", label, height, parts)


def categories(report: Report, language: str = "vi") -> Markup:
    """Items per category over every agency; required categories starred, an empty one in red
    with a dashed frame, and how many agencies left each required one empty."""
    _ = translations(language).gettext
    shown = _known_and_found(report)
    if not shown:
        return _empty(_("Items per category"), _("The settings name no category."))
    label_w, value_w = CATEGORY_LABEL, CATEGORY_VALUE
    totals = {category.id: 0 for category in shown}
    for agency in report.coverage:
        for category_id, count in agency.items.items():
            totals[category_id] = totals.get(category_id, 0) + count
    most = max(totals.values()) or 1
    parts = []
    for row, category in enumerate(shown):
        y = TOP + row * ROW
        empty_in = sum(category.id in agency.empty_required for agency in report.coverage)
        flagged = category.required and totals[category.id] == 0
        length = (WIDTH - label_w - value_w) * totals[category.id] / most
        parts.append(_category_row(category, y, label_w, length, flagged, _))
        note = number(totals[category.id], language)
        if category.required and report.coverage and empty_in:
            note += " · " + _("%(count)s/%(all)s agencies empty") % {
                "count": empty_in,
                "all": len(report.coverage),
            }
        colour = STALE if flagged else INK
        parts.append(_text(WIDTH - value_w + 4, y + ROW - 4, note, fill=colour))
    height = TOP + len(shown) * ROW + LEGEND
    parts.append(_text(0, TOP - 8, _("Category"), fill=MUTED))
    parts.append(_text(label_w, TOP - 8, _("Items in the period"), fill=MUTED))
    parts.append(_text(WIDTH - value_w + 4, TOP - 8, _("Items"), fill=MUTED))
    parts.append(_text(0, height - 8, _("* required; red: a required category with no item")))
    empty = sum(1 for category in shown if category.required and totals[category.id] == 0)
    label = _("Items per category; %(count)s required categories have no item") % {"count": empty}
    return _svg("categories", label, height, parts)


def staleness(report: Report, language: str = "vi") -> Markup:
    """Days since each portal's last item (stalest first), each with its threshold drawn; a
    portal that never published gets a full red bar."""
    _ = translations(language).gettext
    if not report.portals:
        return _empty(_("Days since the last item"), _("No portal in this report."))
    label_w, value_w = 150, 80
    span = WIDTH - label_w - value_w
    longest = max(portal.stale_after_days for portal in report.portals)
    days = [portal.days_since for portal in report.portals if portal.days_since is not None]
    axis = max(1, min(max([*days, longest]), STALE_SCALE * max(longest, 1)))
    parts = [
        _text(label_w, TOP - 8, "0", fill=MUTED),
        _text(
            label_w + span,
            TOP - 8,
            _("%(days)s days") % {"days": number(axis, language)},
            "end",
            MUTED,
        ),
    ]
    for row, portal in enumerate(report.portals):
        y = TOP + row * ROW
        parts.append(_row_label(portal, label_w - 6, y, _))
        parts.append(_days_bar(portal, label_w, y, span, axis, language, _))
    height = TOP + len(report.portals) * ROW + LEGEND
    parts.append(_text(0, height - 8, _("| the portal's threshold; red: past it or never")))
    stale = sum(portal.stale for portal in report.portals)
    label = _("Days since the last item of %(portals)s portals; %(stale)s past their threshold")
    return _svg(
        "staleness", label % {"portals": len(report.portals), "stale": stale}, height, parts
    )


def _days_bar(
    portal: PortalActivity, x: float, y: float, span: float, axis: int, language: str, _: Translate
) -> str:
    """One portal's bar, its threshold mark, and the number of days (or "never")."""
    colour = STALE if portal.stale else FRESH
    threshold = _("threshold %(days)s days") % {"days": portal.stale_after_days}
    if portal.days_since is None:
        length, value = span, _("never")
        hint = portal.name + ": " + _("never published") + ", " + threshold
    else:
        length = span * min(portal.days_since, axis) / axis
        value = _("%(days)s days") % {"days": number(portal.days_since, language)}
        hint = f"{portal.name}: {value}, {threshold}"
    mark = _at(x + span * min(portal.stale_after_days, axis) / axis)
    return (
        f"<g><title>{_e(hint)}</title>{_rect(x, y, length, colour)}"
        f'<line x1="{mark}" x2="{mark}" y1="{_at(y)}" y2="{_at(y + ROW)}" stroke="{INK}" '
        f'stroke-width="2"/></g>{_text(x + span + 4, y + ROW - 4, value, fill=colour)}'
    )


def _category_row(
    category: Category, y: float, label_w: float, length: float, flagged: bool, _: Translate
) -> str:
    """A category's name (starred when required) and its bar; a required one that stayed
    empty is red with a dashed frame where its bar would be."""
    star = " *" if category.required else ""
    name = _fit(category.name, label_w - 6 - len(star) * BOLD_CHAR, bold=flagged) + star
    hint = category.name + (" (" + _("required") + ")" if category.required else "")
    colour = STALE if flagged else INK
    frame = ""
    if flagged:
        width = WIDTH - label_w - CATEGORY_VALUE
        frame = _rect(label_w, y, width, "none", f' stroke="{STALE}" stroke-dasharray="4 3"')
    label = _text(label_w - 6, y + ROW - 4, name, "end", colour, bold=flagged)
    kind = "empty-required" if flagged else "category"
    return (
        f'<g class="{kind}"><title>{_e(hint)}</title>{label}{_rect(label_w, y, length, BAR)}'
        f"{frame}</g>"
    )


def _known_and_found(report: Report) -> list[Category]:
    """The settings' categories in their order, then any id an agency has that they lack."""
    known = list(report.categories)
    ids = {category.id for category in known}
    for agency in report.coverage:
        for category_id in agency.items:
            if category_id not in ids:
                ids.add(category_id)
                known.append(Category(category_id, category_id, required=False))
    return known


def _row_label(portal: PortalActivity, x: float, y: float, _: Translate) -> str:
    """A portal's name, right-aligned before its row, red and bold when stale; the full name
    and agency on hover."""
    hint = f"{portal.name} ({portal.agency})" + (", " + _("stale") if portal.stale else "")
    colour = STALE if portal.stale else INK
    name = _fit(portal.name, x, bold=portal.stale)
    text = _text(x, y + ROW - 4, name, "end", colour, bold=portal.stale)
    return f"<g><title>{_e(hint)}</title>{text}</g>"


def _cell(x: float, y: float, w: float, count: int, top: int, hint: str, language: str) -> str:
    step = _shade(count, top)
    shown = ""
    if w >= 16:  # wide enough to print the number: paper has no hover
        ink = "#ffffff" if step >= DARK_FROM else INK
        shown = _text(x + w / 2, y + ROW - 4, number(count, language), "middle", ink)
    box = _rect(x + GAP / 2, y, w - GAP, SHADES[step])
    return f"<g><title>{_e(hint)}</title>{box}{shown}</g>"


def _shade(count: int, top: int) -> int:
    """0 for no item; else 1-4, the quarter of the busiest week's count it falls in."""
    return 0 if count <= 0 or top <= 0 else min(4, max(1, math.ceil(count * 4 / top)))


def _shade_ranges(top: int) -> list[tuple[int, int, int]]:
    """(step, fewest, most) of each shade some count could take, for the key."""
    ranges = [(0, 0, 0)]
    for step in range(1, 5):
        low, high = (step - 1) * top // 4 + 1, step * top // 4
        if low <= high:
            ranges.append((step, low, high))
    return ranges


def _shade_key(top: int, y: float, language: str, _: Translate) -> str:
    parts = [_text(0, y, _("Items in a week:"), fill=MUTED)]
    x = 110.0
    for step, low, high in _shade_ranges(top):
        shown = number(low, language) + ("" if low == high else DASH + number(high, language))
        parts.append(
            f'<rect x="{_at(x)}" y="{_at(y - 10)}" width="12" height="12" fill="{SHADES[step]}"/>'
        )
        parts.append(_text(x + 15, y, shown))
        x += 22 + 7 * len(shown)
    return "".join(parts)


def _svg(kind: str, label: str, height: float, parts: Iterable[str]) -> Markup:
    """The chart: every fragment was built by the helpers here, which escape all text."""
    return Markup(  # noqa: S704 - operator text in `parts` went through _e(); the rest is ours
        f'<svg class="chart chart-{kind}" role="img" aria-label="{_e(label)}" width="100%" '
        f'viewBox="0 0 {WIDTH} {_at(height)}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="system-ui, sans-serif" font-size="11" fill="{INK}">'
        f"<title>{_e(label)}</title>{''.join(parts)}</svg>"
    )


def _empty(title: str, message: str) -> Markup:
    """A chart with nothing to draw says so, in the same frame."""
    return _svg("empty", f"{title}: {message}", 30, [_text(0, 18, message, fill=MUTED)])


def _text(
    x: float, y: float, text: str, anchor: str = "start", fill: str = INK, *, bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_at(x)}" y="{_at(y)}" text-anchor="{anchor}" fill="{fill}"{weight}>'
        f"{_e(text)}</text>"
    )


def _rect(x: float, y: float, width: float, fill: str, more: str = "") -> str:
    """A row's bar or cell, a little shorter than the row so rows stay apart."""
    return (
        f'<rect x="{_at(x)}" y="{_at(y + GAP / 2)}" width="{_at(width)}" height="{ROW - GAP}" '
        f'fill="{fill}"{more}/>'
    )


def _e(text: str) -> str:
    """Operator text (names, agencies, categories) as inert markup: & < > " ' escaped."""
    return str(escape(text))


def _fit(text: str, width: float, *, bold: bool = False) -> str:
    """Cut with an ellipsis to about `width` units (the whole text is in the hover title)."""
    limit = max(4, int(width / (BOLD_CHAR if bold else CHAR)))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _at(value: float) -> str:
    """A coordinate with at most one decimal: short markup, exact enough for a screen."""
    return f"{value:.1f}".removesuffix(".0")
