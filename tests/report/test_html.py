"""The report's standalone HTML file, from hand-built Reports: it parses, shows the figures
(totals, each portal's row with the stale ones marked, the empty required categories named, the
three charts) in Vietnamese with local times, references nothing outside itself, prints on A4,
keeps operator text inert, and an empty report renders."""

from __future__ import annotations

import re

import pytest

from syndicator.report.html import POLICY, render_html
from syndicator.report.model import Report
from tests.helpers.markup import parsed
from tests.helpers.report_values import empty_report, hostile_report, sample_report

HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
# What may make a browser fetch something: an address in an attribute, or in a stylesheet.
FETCHING_ATTRIBUTES = {"src", "href", "srcset", "action", "poster", "data", "xlink:href"}


def rows(html: str, table: int) -> list[str]:
    """The text of each body row of the page's n-th table."""
    body = re.findall(r"<tbody>(.*?)</tbody>", html, re.DOTALL)[table]
    return [parsed(row).text for row in re.findall(r"<tr.*?</tr>", body, re.DOTALL)]


def test_the_file_shows_the_totals_and_each_portal_stalest_first() -> None:
    """Totals 3 portals, 2 stale, 31 items, 4 failed polls, 14 and 10 posts; each portal's
    row with its local last item, days since and threshold; numbers in Vietnamese (5,8)."""
    html = render_html(sample_report())
    page = parsed(html)
    assert page.named("html")[0].attrs["lang"] == "vi"
    assert "Cổng thông tin 3 Cổng chậm cập nhật 2 Số tin trong kỳ 31 Lần lấy tin lỗi 4" in page.text
    assert "Đã đăng lên facebook 14 Đã đăng lên zalo 10" in page.text
    assert rows(html, 0) == [
        "so-xay-dung Cổng thông tin Sở Xây dựng Sở Xây dựng 0 0 chưa bao giờ — có "
        "(ngưỡng 7 ngày) 0 0 0",
        "xa-tan-phu Cổng thông tin điện tử xã Tân Phú UBND xã Tân Phú 6 1,4 24/11/2026 09:15 "
        "12 có (ngưỡng 7 ngày) 4 2 1",
        "so-tu-phap Cổng thông tin Sở Tư pháp Sở Tư pháp 25 5,8 05/12/2026 09:30 1 không "
        "(ngưỡng 7 ngày) 0 12 9",
    ]
    stale = [tag for tag in page.named("tr") if "stale" in (tag.attrs.get("class") or "")]
    assert len(stale) == 2 + 3  # two stale portals; three agencies with an empty category


def test_the_file_names_each_agencys_empty_required_categories() -> None:
    html = render_html(sample_report())
    assert rows(html, 1) == [
        "Sở Tư pháp 25 Văn bản quy phạm pháp luật, văn bản quản lý hành chính: 14; Thủ tục hành "
        "chính, dịch vụ công trực tuyến: 8; Tin tức, sự kiện: 3 Chiến lược, quy hoạch, kế hoạch "
        "phát triển",
        "Sở Xây dựng 0 Văn bản quy phạm pháp luật, văn bản quản lý hành chính Thủ tục hành "
        "chính, dịch vụ công trực tuyến Chiến lược, quy hoạch, kế hoạch phát triển",
        "UBND xã Tân Phú 6 Tin tức, sự kiện: 6 Văn bản quy phạm pháp luật, văn bản quản lý hành "
        "chính Thủ tục hành chính, dịch vụ công trực tuyến Chiến lược, quy hoạch, kế hoạch "
        "phát triển",
    ]
    assert len(parsed(html).with_class("empty-required")) == 3 + 1  # the lists, and the chart's row


def test_the_file_draws_the_three_charts() -> None:
    page = parsed(render_html(sample_report()))
    kinds = [tag.attrs["class"] for tag in page.named("svg")]
    assert kinds == ["chart chart-staleness", "chart chart-heatmap", "chart chart-categories"]
    assert all(tag.attrs["role"] == "img" for tag in page.named("svg"))


def test_the_period_and_times_are_in_the_settings_timezone() -> None:
    """30 days to Monday 07/12/2026 00:00 in Hanoi; in UTC the same instants read 7 hours
    earlier."""
    hanoi = parsed(render_html(sample_report())).text
    assert "Kỳ báo cáo: từ 07/11/2026 00:00 đến 07/12/2026 00:00 (giờ Asia/Ho_Chi_Minh)" in hanoi
    assert "Lập lúc 07/12/2026 00:05" in hanoi
    utc = parsed(render_html(sample_report(), timezone="UTC")).text
    assert "từ 06/11/2026 17:00 đến 06/12/2026 17:00 (giờ UTC)" in utc
    assert "05/12/2026 02:30" in utc


@pytest.mark.parametrize("report", [sample_report(), empty_report()], ids=["sample", "empty"])
def test_the_file_references_nothing_outside_itself(report: Report) -> None:
    """No script, no link, no address to fetch in any attribute, no @import or url() in its
    stylesheet, no style attribute; its own policy forbids loading anything."""
    html = render_html(report)
    page = parsed(html)
    assert page.named("script") == [] and page.named("link") == [] and page.named("img") == []
    for tag in page.tags:
        assert FETCHING_ATTRIBUTES.isdisjoint(tag.attrs), tag
        assert "style" not in tag.attrs, tag
    (style,) = page.named("style")
    assert "@import" not in style.text and "url(" not in style.text
    assert "url(" not in html and "@import" not in html
    (policy,) = [tag for tag in page.named("meta") if tag.attrs.get("http-equiv")]
    assert policy.attrs["content"] == POLICY
    assert POLICY.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")


def test_the_file_prints_on_a4_a_section_a_page() -> None:
    (style,) = parsed(render_html(sample_report())).named("style")
    assert "@page { size: A4;" in style.text
    assert ".report-section + .report-section { break-before: page; }" in style.text


@pytest.mark.parametrize("text", HOSTILE)
def test_operator_text_is_inert(text: str) -> None:
    """Markup as every portal, agency, channel and category name shows as text."""
    html = render_html(hostile_report(text))
    page = parsed(html)
    assert page.named("script") == [] and page.named("img") == []
    assert all(not name.startswith("on") for tag in page.tags for name in tag.attrs)
    assert text in page.text
    assert text not in html  # only escaped


def test_an_empty_report_renders() -> None:
    """No portal, agency or category: zeros, and each part says there is nothing."""
    page = parsed(render_html(empty_report()))
    assert "Cổng thông tin 0 Cổng chậm cập nhật 0 Số tin trong kỳ 0 Lần lấy tin lỗi 0" in page.text
    assert "Báo cáo này không có cổng nào." in page.text
    assert "Không có cơ quan nào để hiển thị." in page.text
    assert len(page.named("svg")) == 3


def test_english_on_request() -> None:
    page = parsed(render_html(sample_report(), "en"))
    assert page.named("html")[0].attrs["lang"] == "en"
    assert "Portal activity report" in page.text and "Stale portals 2" in page.text
    assert "5.8" in page.text and "never" in page.text
