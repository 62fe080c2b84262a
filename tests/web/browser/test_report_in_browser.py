"""The report in a real browser: the standalone file opened from disk with every other request
refused loads, draws its three charts and asks for nothing, on a desktop and on a 375 px phone
(screenshots kept), and prints a section a page; the /report page draws the same charts within
the admin page's CSP (no inline style to block, so no console error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from syndicator.report.html import render_html
from tests.helpers.browser import DESKTOP, PHONE, OpenPage, SignIn, Watch
from tests.helpers.report_values import hostile_report, sample_report

pytestmark = pytest.mark.slow

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# Each chart's drawn size, and how many of its shapes have a size of their own.
CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const drawn = [...svg.querySelectorAll('rect, line')].filter(shape => {
    const size = shape.getBoundingClientRect();
    return size.width > 0 && size.height > 0;
  });
  return {kind: svg.getAttribute('class'), width: box.width, height: box.height, drawn: drawn.length};
})"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def offline(page: Page, allowed: str) -> list[str]:
    """Refuses every request but `allowed`; returns the list of those refused."""
    refused: list[str] = []

    def answer(route: Route) -> None:
        if route.request.url == allowed:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", answer)
    return refused


def charts_drawn(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(CHARTS)
    return found


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_file_draws_its_charts_with_the_network_blocked(
    open_page: OpenPage, tmp_path: Path, artifacts: Path, screen: str
) -> None:
    file = tmp_path / "bao-cao.html"
    file.write_text(render_html(sample_report()), encoding="utf-8")
    page = open_page(VIEWPORTS[screen])
    refused = offline(page, file.as_uri())
    watch = Watch().on(page)
    page.goto(file.as_uri())
    charts = charts_drawn(page)
    assert [chart["kind"] for chart in charts] == [
        "chart chart-staleness",
        "chart chart-heatmap",
        "chart chart-categories",
    ]
    for chart in charts:
        assert chart["width"] > 0 and chart["height"] > 0 and chart["drawn"] > 0, chart
    page.screenshot(path=artifacts / f"report-file-{screen}.png", full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, "the file is wider than the screen"
    assert watch.requests == [file.as_uri()] and refused == []
    assert watch.errors == [] and watch.dialogs == []


def test_the_file_prints_a_section_a_page(open_page: OpenPage, tmp_path: Path) -> None:
    file = tmp_path / "bao-cao.html"
    file.write_text(render_html(sample_report()), encoding="utf-8")
    page = open_page(DESKTOP)
    page.goto(file.as_uri())
    page.emulate_media(media="print")
    breaks = page.evaluate(
        "[...document.querySelectorAll('.report-section')].map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks == ["auto", "page", "page", "page", "page", "page"]  # the last: reach
    assert len(page.pdf(format="A4")) > 0


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_hostile_names_in_the_file_do_nothing(
    open_page: OpenPage, tmp_path: Path, text: str
) -> None:
    file = tmp_path / "bao-cao.html"
    file.write_text(render_html(hostile_report(text)), encoding="utf-8")
    page = open_page(DESKTOP)
    refused = offline(page, file.as_uri())
    watch = Watch().on(page)
    page.goto(file.as_uri())
    assert page.locator("img, script").count() == 0
    assert watch.dialogs == [] and watch.errors == [] and refused == []


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_report_page_draws_the_charts_under_the_admin_pages_policy(
    site: str, signed_in_page: SignIn, artifacts: Path, screen: str
) -> None:
    """Reached from the header; the real report of the test database (one feed, never
    published): the charts drawn, no CSP violation, no wider than the screen."""
    page = signed_in_page("editor", VIEWPORTS[screen])
    watch = Watch().on(page)
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.wait_for_url(f"{site}/report")
    charts = charts_drawn(page)
    assert len(charts) == 3
    for chart in charts:
        assert chart["width"] > 0 and chart["height"] > 0, chart
    page.screenshot(path=artifacts / f"report-page-{screen}.png", full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, "the report page is wider than the screen"
    assert watch.errors == [] and watch.dialogs == []
    assert all(url.startswith(site) for url in watch.requests)
