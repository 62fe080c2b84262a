"""The portal report's reach section (issue #14) over the province with known counters (tests/
helpers/reach_province.py), on SQLite and PostgreSQL: per portal its posts of the period and
their summed latest counters, unknowns counted apart and never as 0, the province's total, read
in one grouped query whatever the number of posts; and the section in the HTML file."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, event

from storage.reach_views import Sum
from storage.session import reading_snapshot
from syndicator.report.html import render_html
from syndicator.report.measures import measure
from syndicator.report.model import Report
from tests.helpers.markup import parsed
from tests.helpers.reach_province import fill_reach
from tests.helpers.report_province import SINCE, UNTIL, province_app


def measured(engine: Engine, tmp_path: Path) -> tuple[Report, list[str]]:
    """The province's report, and the statements that read post_reach while it was measured."""
    app = province_app(engine, tmp_path)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "post_reach" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with reading_snapshot(engine) as session:
            report = measure(session, app.settings, SINCE, UNTIL, UNTIL)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return report, statements


def test_each_portal_sums_its_posts_latest_counters(engine: Engine, tmp_path: Path) -> None:
    fill_reach(engine)
    report, statements = measured(engine, tmp_path)
    reach = {portal.feed: portal.reach for portal in report.portals}
    skhcn, syt = reach["skhcn"], reach["syt"]
    assert skhcn.posts == 3
    assert (skhcn.sums["reactions"], skhcn.unknown("reactions")) == (Sum(47, 2), 1)
    assert (skhcn.sums["shares"], skhcn.unknown("shares")) == (Sum(5, 3), 0)
    assert skhcn.total("clicks") is None and skhcn.unknown("clicks") == 3
    assert syt.posts == 1 and syt.total("reactions") is None and syt.unknown("reactions") == 1
    assert reach["xa-ba-to"].posts == 0 and reach["xa-ba-to"].total("reactions") == 0
    totals = report.totals.reach
    assert totals.posts == 4 and totals.sums["reactions"] == Sum(47, 2)
    assert totals.total("views") == 150 and totals.unknown("views") == 3
    assert len(statements) == 1  # one grouped query, not one per post


def test_the_html_file_has_the_reach_section(engine: Engine, tmp_path: Path) -> None:
    """The portals that published, the most posts first, then the province's total; "—" for a
    counter no post gave, and how many posts did not give one."""
    fill_reach(engine)
    report, _ = measured(engine, tmp_path)
    html = render_html(report)
    section = html[html.index('id="report-reach"') :]
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.DOTALL)
    assert body is not None
    rows = [parsed(row).text for row in re.findall(r"<tr.*?</tr>", body.group(1), re.DOTALL)]
    assert rows == [
        "Sở Khoa học và Công nghệ 3 47 (1 không rõ) 5 (1 không rõ) 5 900 (2 không rõ) — "
        "150 (2 không rõ)",
        "Sở Y tế 1 — — — — — —",
        "Tổng hợp 4 47 (2 không rõ) 5 (2 không rõ) 5 (1 không rõ) 900 (3 không rõ) — "
        "150 (3 không rõ)",
    ]
    assert "Mức độ lan tỏa của bài đăng" in parsed(html).text


def test_a_period_with_no_post_says_so(engine: Engine, tmp_path: Path) -> None:
    report, _ = measured(engine, tmp_path)
    assert report.totals.reach.posts == 0
    assert "Không có bài nào được đăng trong kỳ." in parsed(render_html(report)).text
