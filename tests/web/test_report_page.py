"""The report page (/report) for every signed-in role, its period (`?since=`, a bad one a 400
page in Vietnamese) and its downloads (the standalone HTML file, CSV, JSON, attached). Most tests
draw a hand-built Report (services.report.build_report replaced); the last ones run the real
service on the test database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from syndicator.app import App
from syndicator.report import formats
from syndicator.report.html import render_html
from syndicator.report.model import Report
from syndicator.services import report as service
from tests.helpers.markup import parsed
from tests.helpers.report_values import hostile_report, sample_report

PATHS = ("/report", "/report.html", "/report.csv", "/report.json")
SignIn = Callable[[str], str]


class Built:
    """A stand-in for build_report: returns `report`, and keeps the periods it was asked."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.periods: list[timedelta] = []

    def __call__(self, app: App, since: timedelta) -> Report:
        self.periods.append(since)
        return self.report


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Built:
    fake = Built(sample_report())
    monkeypatch.setattr(service, "build_report", fake)
    return fake


@pytest.mark.parametrize("path", PATHS)
def test_a_stranger_is_sent_to_sign_in(client: TestClient, built: Built, path: str) -> None:
    answer = client.get(path + "?since=7d")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path.replace('/', '%2F')}%3Fsince%3D7d"
    assert built.periods == []


@pytest.mark.parametrize("role", ["editor", "approver", "admin"])
def test_every_role_reads_the_report(
    client: TestClient, sign_in: SignIn, built: Built, role: str
) -> None:
    """The settings' period (30 days) by default; the figures, tables and charts of the
    file, in the admin layout, linked from the header."""
    sign_in(role)
    answer = client.get("/report")
    assert answer.status_code == 200
    page = parsed(answer.text)
    assert built.periods == [timedelta(days=30)]
    assert "Cổng thông tin 3 Cổng chậm cập nhật 2 Số tin trong kỳ 31 Lần lấy tin lỗi 4" in page.text
    assert "UBND xã Tân Phú 6 1,4 24/11/2026 09:15 12 có (ngưỡng 7 ngày) 4 2 1" in page.text
    assert len(page.named("svg")) == 3
    (current,) = [tag for tag in page.named("a") if tag.attrs.get("aria-current") == "page"]
    assert current.attrs["href"] == "/report" and current.text == "Báo cáo"
    assert all("style" not in tag.attrs for tag in page.tags)  # the page's CSP forbids it
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")


def test_the_period_asked_is_the_period_built_and_downloaded(
    client: TestClient, sign_in: SignIn, built: Built
) -> None:
    sign_in("editor")
    page = parsed(client.get("/report?since=12w").text)
    assert built.periods == [timedelta(weeks=12)]
    links = {tag.attrs["href"] for tag in page.named("a") if "download" in tag.attrs}
    assert links == {"/report.html?since=12w", "/report.csv?since=12w", "/report.json?since=12w"}
    (field,) = [tag for tag in page.named("input") if tag.attrs.get("name") == "since"]
    assert field.attrs["value"] == "12w" and field.attrs["placeholder"] == "30d"


BAD = ("abc", "30", "-7d", "7 ngày", "99999d", "0s", "0" * 18 + "30d")
GOOD = {"1s": timedelta(seconds=1), "0" * 17 + "30d": timedelta(days=30)}


def test_a_bad_period_is_a_400_in_vietnamese(
    client: TestClient, sign_in: SignIn, built: Built
) -> None:
    """Not a duration, no time at all (0s; 1s is a period), or longer than 20 characters
    (a 20-character one is read): refused before anything is built, on the page and for
    every download."""
    sign_in("editor")
    for since, path in [(since, "/report") for since in BAD] + [("0d", path) for path in PATHS]:
        answer = client.get(path, params={"since": since})
        assert answer.status_code == 400, (since, path)
        (error,) = parsed(answer.text).with_class("error")
        assert "không phải là một khoảng thời gian" in error.text
        assert "ví dụ 7d, 30d hoặc 12w" in error.text
    assert built.periods == []
    for since in GOOD:
        assert client.get("/report", params={"since": since}).status_code == 200
    assert built.periods == list(GOOD.values())


def test_a_hostile_period_is_shown_as_text(
    client: TestClient, sign_in: SignIn, built: Built
) -> None:
    sign_in("editor")
    answer = client.get("/report", params={"since": "<b>7d</b>"})
    assert answer.status_code == 400
    assert "“&lt;b&gt;7d&lt;/b&gt;”" in answer.text and "<b>7d" not in answer.text


@pytest.mark.parametrize(
    ("kind", "media", "render"),
    [
        (
            "html",
            "text/html; charset=utf-8",
            lambda report: render_html(report, "vi", "Asia/Ho_Chi_Minh"),
        ),
        ("csv", "text/csv; charset=utf-8", formats.to_csv),
        ("json", "application/json", formats.to_json),
    ],
)
def test_downloads_are_attached_files_of_the_same_report(
    client: TestClient,
    sign_in: SignIn,
    built: Built,
    kind: str,
    media: str,
    render: Callable[[Report], str],
) -> None:
    """Named after the day the report was made (07/12/2026 in Hanoi), in the file's format."""
    sign_in("approver")
    answer = client.get(f"/report.{kind}?since=7d")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="bao-cao-cong-thong-tin-2026-12-07.{kind}"'
    )
    assert answer.text == render(sample_report())
    assert built.periods == [timedelta(days=7)]


def test_another_kind_of_file_is_not_found(
    client: TestClient, sign_in: SignIn, built: Built
) -> None:
    sign_in("editor")
    assert client.get("/report.pdf").status_code == 404
    assert built.periods == []


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_operator_text_on_the_page_is_inert(
    client: TestClient, sign_in: SignIn, built: Built, text: str
) -> None:
    built.report = hostile_report(text)
    sign_in("editor")
    answer = client.get("/report")
    page = parsed(answer.text)
    assert page.named("script") == [] and page.named("img") == []
    assert text in page.text and text not in answer.text


def test_the_page_in_english(client: TestClient, sign_in: SignIn, built: Built) -> None:
    sign_in("editor")
    page = parsed(client.get("/report?lang=en").text)
    assert "Portal activity report" in page.text and "Stale portals 2" in page.text


def test_the_real_report_of_a_new_installation(client: TestClient, sign_in: SignIn) -> None:
    """On the test database (SQLite and PostgreSQL), the settings' one feed has published
    nothing: one portal, stale, never; every download works."""
    sign_in("admin")
    answer = client.get("/report")
    assert answer.status_code == 200, answer.text
    page = parsed(answer.text)
    assert "Cổng thông tin 1 Cổng chậm cập nhật 1 Số tin trong kỳ 0" in page.text
    assert "skhcn Sở Khoa học và Công nghệ" in page.text and "chưa bao giờ" in page.text
    for kind in ("html", "csv", "json"):
        download = client.get(f"/report.{kind}?since=7d")
        assert download.status_code == 200, download.text
        assert "skhcn" in download.text
