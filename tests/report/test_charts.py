"""The report's inline SVG charts: what each draws from a hand-built Report (counts, colours at
their edges, the threshold, the empty required category), and what every chart is: well-formed
markup, described for screen readers, scaled by its viewBox, without a `style` attribute (the
admin page's CSP forbids inline style), operator text inert."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import pytest
from markupsafe import Markup

from syndicator.report import charts
from syndicator.report.model import Report
from tests.helpers.markup import Page, Tag, parsed
from tests.helpers.report_values import (
    PORTALS,
    activity,
    empty_report,
    hostile_report,
    sample_report,
)

Chart = Callable[..., Markup]
CHARTS: tuple[Chart, ...] = (charts.heatmap, charts.categories, charts.staleness)
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def hinted(svg: Page, shape: str = "rect") -> list[tuple[str, Tag]]:
    """(hover title, shape) of every shape that has its own title: a heatmap cell, a bar."""
    tags = svg.tags
    return [
        (title.text, following)
        for title, following in itertools.pairwise(tags)
        if title.name == "title" and following.name == shape
    ]


def shown(svg: Page) -> str:
    """The chart's printed words (its <text> elements), without the hover titles."""
    return " ".join(tag.text for tag in svg.named("text"))


def bar_width(svg: Page, starts: str) -> float:
    (found,) = [bar for hint, bar in hinted(svg) if hint.startswith(starts)]
    return float(found.attrs["width"] or 0)


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("report", [sample_report(), empty_report()], ids=["sample", "empty"])
def test_every_chart_is_described_scaled_and_unstyled(chart: Chart, report: Report) -> None:
    """One <svg role="img"> with an aria-label and a <title> first, width 100% over a viewBox,
    no style attribute and no <style> element: the admin page's CSP would block them."""
    drawn = chart(report)
    assert isinstance(drawn, Markup)
    svg = parsed(str(drawn))
    root = svg.tags[0]
    assert root.name == "svg" and len(svg.named("svg")) == 1
    assert root.attrs["role"] == "img" and root.attrs["aria-label"]
    assert root.attrs["width"] == "100%" and str(root.attrs["viewbox"]).startswith("0 0 480 ")
    assert svg.tags[1].name == "title" and svg.tags[1].text == root.attrs["aria-label"]
    assert all("style" not in tag.attrs for tag in svg.tags) and svg.named("style") == []


def test_heatmap_has_a_row_per_portal_stalest_first_and_a_cell_per_week() -> None:
    """Rows in the report's order (stalest first), a cell per week with the count in its
    title; the stale portals' names in red and bold."""
    svg = parsed(str(charts.heatmap(sample_report())))
    cells = hinted(svg)
    assert len(cells) == 3 * 5
    assert [hint for hint, _ in cells[5:10]] == [
        f"Cổng thông tin điện tử xã Tân Phú, tuần từ {week}/2026: {count} tin"
        for week, count in zip(
            ("02/11", "09/11", "16/11", "23/11", "30/11"), (3, 2, 1, 0, 0), strict=True
        )
    ]
    assert [tag.text for tag in svg.named("text")][:5] == [
        "02/11",
        "09/11",
        "16/11",
        "23/11",
        "30/11",
    ]
    labels = [tag for tag in svg.named("text") if tag.text.startswith("Cổng")]
    assert [(label.attrs["fill"], label.attrs.get("font-weight")) for label in labels] == [
        (charts.STALE, "bold"),
        (charts.STALE, "bold"),
        (charts.INK, None),
    ]


def test_heatmap_shades_by_quarters_of_the_busiest_week() -> None:
    """With 8 the busiest week: 0 is grey, 2 (a quarter) the lightest blue and 3 (just past)
    the next, 6 the third, 7 (just past 3/4) and 8 the darkest."""
    weekly = (0, 2, 3, 6, 7)
    busiest = activity("so-y-te", "Cổng thông tin Sở Y tế", "Sở Y tế", (8, 0, 0, 0, 0))
    portals = (
        activity("so-gd", "Cổng thông tin Sở Giáo dục và Đào tạo", "Sở GD&ĐT", weekly),
        busiest,
    )
    report = dataclasses.replace(sample_report(), portals=portals)
    fills = [cell.attrs["fill"] for _, cell in hinted(parsed(str(charts.heatmap(report))))]
    shades = charts.SHADES
    assert fills[:5] == [shades[0], shades[1], shades[2], shades[3], shades[4]]
    assert fills[5] == shades[4]


def test_heatmap_key_names_each_shades_counts() -> None:
    svg = parsed(str(charts.heatmap(sample_report())))  # the busiest week has 7 items
    assert "Số tin trong tuần: 0 1 2–3 4–5 6–7" in shown(svg)


def test_categories_sum_the_agencies_star_the_required_and_flag_the_empty_one() -> None:
    """Văn bản 14, Thủ tục 8, Quy hoạch 0 (required: red, dashed frame), Tin tức 9 (3 + 6); a
    required category says how many agencies left it empty."""
    svg = parsed(str(charts.categories(sample_report())))
    assert "Văn bản quy phạm pháp… * 14 · trống ở 2/3 cơ quan" in shown(svg)
    assert "Tin tức, sự kiện 9" in shown(svg) and "Tin tức, sự kiện *" not in shown(svg)
    flagged = svg.with_class("empty-required")
    assert len(flagged) == 1
    (frame,) = [rect for rect in svg.named("rect") if rect.attrs.get("stroke-dasharray")]
    assert frame.attrs["stroke"] == charts.STALE and frame.attrs["fill"] == "none"
    red = [tag.text for tag in svg.named("text") if tag.attrs["fill"] == charts.STALE]
    assert red == ["Chiến lược, quy hoạc… *", "0 · trống ở 3/3 cơ quan"]
    bars = [rect for rect in svg.named("rect") if rect.attrs.get("fill") == charts.BAR]
    assert [float(bar.attrs["width"] or 0) for bar in bars] == pytest.approx(
        [150, 150 * 8 / 14, 0, 150 * 9 / 14], abs=0.1
    )


def test_staleness_draws_each_threshold_and_a_full_red_bar_for_a_portal_that_never_published() -> (
    None
):
    """The axis ends at the longest days-since (12): 7 days is the threshold mark of each row."""
    svg = parsed(str(charts.staleness(sample_report())))
    span = 480 - 150 - 80
    assert bar_width(svg, "Cổng thông tin Sở Xây dựng: chưa từng đăng tin") == span
    assert bar_width(svg, "Cổng thông tin điện tử xã Tân Phú: 12 ngày, ngưỡng 7 ngày") == span
    assert bar_width(svg, "Cổng thông tin Sở Tư pháp: 1 ngày") == pytest.approx(span / 12, abs=0.1)
    fills = [bar.attrs["fill"] for _, bar in hinted(svg)]
    assert fills == [charts.STALE, charts.STALE, charts.FRESH]
    marks = {line.attrs["x1"] for line in svg.named("line")}
    assert [float(x or 0) for x in marks] == pytest.approx([150 + span * 7 / 12], abs=0.1)
    assert "Cổng thông tin Sở Xâ… chưa bao giờ" in shown(svg)  # cut to fit


@pytest.mark.parametrize(("days", "axis"), [(27, 27), (28, 28), (29, 28)])
def test_staleness_cuts_a_bar_past_four_thresholds_but_prints_its_days(
    days: int, axis: int
) -> None:
    """The axis ends at the stalest portal's days, but no further than 4 x 7 = 28: a bar of
    29 days is cut there and still says 29, and the other bars keep their scale."""
    quiet = activity(
        "xa-an-binh", "Cổng thông tin xã An Bình", "UBND xã An Bình", (0,) * 5,
        days_since=days, stale=True,
    )  # fmt: skip
    report = dataclasses.replace(sample_report(), portals=(quiet, PORTALS[2]))
    svg = parsed(str(charts.staleness(report)))
    span = 480 - 150 - 80
    assert bar_width(svg, "Cổng thông tin xã An Bình") == span
    assert bar_width(svg, "Cổng thông tin Sở Tư pháp") == pytest.approx(span / axis, abs=0.1)
    assert [tag.text for tag in svg.named("text")][:2] == ["0", f"{axis} ngày"]
    assert f"Cổng thông tin xã An… {days} ngày" in shown(svg)


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("text", HOSTILE)
def test_operator_text_is_inert(chart: Chart, text: str) -> None:
    """A portal, agency or category named with markup shows as text: no element is made."""
    drawn = str(chart(hostile_report(text)))
    svg = parsed(drawn)
    assert {tag.name for tag in svg.tags} <= {"svg", "title", "g", "rect", "text", "line"}
    assert all(not name.startswith("on") for tag in svg.tags for name in tag.attrs)
    assert text[:12] in shown(svg) or text[:12] in " ".join(tag.text for tag in svg.named("title"))


@pytest.mark.parametrize(
    ("chart", "says"),
    [
        (charts.heatmap, "Không có dữ liệu trong kỳ này."),
        (charts.categories, "Cấu hình chưa khai báo chuyên mục nào."),
        (charts.staleness, "Báo cáo này không có cổng nào."),
    ],
)
def test_an_empty_report_draws_a_chart_that_says_so(chart: Chart, says: str) -> None:
    assert parsed(str(chart(empty_report()))).text.endswith(says)


def test_english_labels_on_request() -> None:
    svg = parsed(str(charts.staleness(sample_report(), "en")))
    assert "never" in shown(svg) and "12 days" in shown(svg)
    assert svg.tags[0].attrs["aria-label"] == (
        "Days since the last item of 3 portals; 2 past their threshold"
    )
