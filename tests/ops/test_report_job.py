"""The weekly report job (issue #12): the files it writes and their names, the mail, failures
that are logged and leave the daemon running, and the Monday 07:00 schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from structlog.testing import capture_logs

from storage.models import Item, ItemSource
from storage.search_text import search_text
from storage.session import writing
from syndicator.app import App
from syndicator.config import load_settings
from syndicator.ops.daemon import build_scheduler, weekly_trigger
from syndicator.ops.report_job import weekly_report
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import unused_port
from tests.helpers.smtp import LocalSmtp

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_7 = datetime(2026, 12, 7, 7, 0, tzinfo=LOCAL)  # 07/12/2026 07:00, when the job runs
PORTAL_KEYS = {"feed", "agency", "items", "last_item_at", "days_since", "stale", "errors",
               "published"}  # fmt: skip


def settings(tmp_path: Path, engine: Engine, email: bool = False, port: int = 1) -> Path:
    """Two portals, one required category; the alert mail set up (used only when `email`)."""
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "settings.toml"
    path.write_text(
        f'timezone = "Asia/Ho_Chi_Minh"\n[database]\nurl = "{url}"\n[web]\nenabled = false\n'
        f'[report]\nfolder = "var/reports"\nemail = {str(email).lower()}\n'
        '[[report.categories]]\nid = "van-ban"\n'
        'name = "Văn bản quy phạm pháp luật, văn bản quản lý hành chính"\nrequired = true\n'
        '[[report.categories]]\nid = "tin-tuc"\nname = "Tin tức, sự kiện"\n'
        '[[report.rules]]\ncategory = "van-ban"\nkeywords = ["quyết định số"]\n'
        f'[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_starttls = false\n'
        'smtp_from = "baocao@stttt.tinh.gov.vn"\n'
        'email_to = ["lanhdao@stttt.tinh.gov.vn", "it@stttt.tinh.gov.vn"]\n'
        '[[feeds]]\nid = "so-tu-phap"\nname = "Cổng thông tin Sở Tư pháp"\nagency = "Sở Tư pháp"\n'
        'category = "tin-tuc"\nurl = "https://stp.tinh.gov.vn/rss"\n'
        '[[feeds]]\nid = "xa-tan-phu"\nname = "Cổng thông tin điện tử xã Tân Phú"\n'
        'agency = "UBND xã Tân Phú"\ncategory = "tin-tuc"\nurl = "https://tanphu.tinh.gov.vn/rss"\n',
        encoding="utf-8",
    )
    return path


def add_item(engine: Engine, feed: str, title: str, at: datetime) -> None:
    link = f"https://stp.tinh.gov.vn/vi/news/tin-tuc/{abs(hash(title))}.html"
    with writing(engine) as session:
        item = Item(title=title, title_key=title, search_text=search_text(title), link=link,
                    first_feed_id=feed, published_at=at, created_at=at)  # fmt: skip
        session.add(item)
        session.flush()
        session.add(ItemSource(item_id=item.id or 0, feed_id=feed, source_key=f"guid:{item.id}",
                               link=link, seen_at=at))  # fmt: skip


def app_at(path: Path, engine: Engine, now: datetime) -> App:
    """The App over `engine` at `now`: the Sở Tư pháp published twice in the week, the commune
    portal nothing for 40 days (stale)."""
    add_item(engine, "so-tu-phap", "Quyết định số 1234/QĐ-UBND về công bố thủ tục hành chính",
             now - timedelta(days=2))  # fmt: skip
    add_item(engine, "so-tu-phap", "Hội nghị triển khai công tác tư pháp năm 2027",
             now - timedelta(days=3))  # fmt: skip
    add_item(engine, "xa-tan-phu", "Ra quân tổng vệ sinh môi trường", now - timedelta(days=40))
    return App(load_settings(path), FakeClock(now.astimezone(UTC)))


def test_writes_the_html_and_json_of_the_period(tmp_path: Path, engine: Engine) -> None:
    """Monday 07:00: report-2026-12-07.html and .json in report.folder (made, relative to the
    settings file); the JSON has the documented keys and the right counts; no half file left."""
    app = app_at(settings(tmp_path, engine), engine, MONDAY_7)
    outcome = weekly_report(app)
    folder = tmp_path / "var" / "reports"
    assert outcome.error is None and outcome.emailed is False
    assert sorted(p.name for p in folder.iterdir()) == ["report-2026-12-07.html",
                                                        "report-2026-12-07.json"]  # fmt: skip
    data = json.loads((folder / "report-2026-12-07.json").read_text(encoding="utf-8"))
    portals = {portal["feed"]: portal for portal in data["portals"]}
    assert all(portal.keys() >= PORTAL_KEYS for portal in portals.values())
    assert portals["so-tu-phap"]["items"] == 2 and portals["so-tu-phap"]["stale"] is False
    assert portals["xa-tan-phu"]["stale"] is True and portals["xa-tan-phu"]["days_since"] == 40
    assert data["until"] == MONDAY_7.astimezone(UTC).isoformat()
    empty = {agency["agency"]: agency["empty_required"] for agency in data["categories"]}
    assert empty == {"Sở Tư pháp": [], "UBND xã Tân Phú": ["van-ban"]}
    page = (folder / "report-2026-12-07.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "Sở Tư pháp" in page


def test_the_file_is_named_by_the_local_day(tmp_path: Path, sqlite_engine: Engine) -> None:
    """Monday 00:00 in Hanoi is still Sunday in UTC: the file is named by the Monday."""
    monday_midnight = datetime(2026, 12, 7, 0, 0, tzinfo=LOCAL)
    app = app_at(settings(tmp_path, sqlite_engine), sqlite_engine, monday_midnight)
    outcome = weekly_report(app)
    assert outcome.html is not None and outcome.html.name == "report-2026-12-07.html"
    app.clock.current -= timedelta(seconds=1)  # type: ignore[attr-defined]
    assert weekly_report(app).html.name == "report-2026-12-06.html"  # type: ignore[union-attr]


def test_no_mail_when_email_is_false(tmp_path: Path, sqlite_engine: Engine) -> None:
    """The alert mail is set up, but report.email = false: nothing is sent."""
    with LocalSmtp() as smtp:
        path = settings(tmp_path, sqlite_engine, email=False, port=smtp.port)
        outcome = weekly_report(app_at(path, sqlite_engine, MONDAY_7))
    assert outcome.error is None and outcome.emailed is False and smtp.messages == []


def test_mails_the_html_with_the_totals(tmp_path: Path, sqlite_engine: Engine) -> None:
    """report.email = true: one mail to alerts.email_to, a Vietnamese body with the totals and
    the HTML file attached as it was written."""
    with LocalSmtp() as smtp:
        path = settings(tmp_path, sqlite_engine, email=True, port=smtp.port)
        outcome = weekly_report(app_at(path, sqlite_engine, MONDAY_7))
    assert outcome.error is None and outcome.emailed is True and outcome.html is not None
    (message,) = smtp.messages
    assert smtp.recipients == [["lanhdao@stttt.tinh.gov.vn", "it@stttt.tinh.gov.vn"]]
    assert message["From"] == "baocao@stttt.tinh.gov.vn"
    assert message["Subject"] == "[Syndicator] Báo cáo hoạt động cổng thông tin đến 07/12/2026"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Kỳ báo cáo: từ 07:00 07/11/2026 đến 07:00 07/12/2026 (30 ngày)" in text
    for line in ("Số cổng thông tin: 2", "Cổng chậm cập nhật: 1", "Tin bài trong kỳ: 2",
                 "Chuyên mục bắt buộc chưa có tin: 1 (ở 1 cơ quan)"):  # fmt: skip
        assert f"- {line}\n" in text
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "report-2026-12-07.html"
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_payload(decode=True) == outcome.html.read_bytes()


def run_as_the_daemon(app: App) -> list[dict[str, Any]]:
    """The scheduler's "report" job, called as the scheduler calls it; its log lines. The
    scheduler must still run after it."""
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        with capture_logs() as logs:
            scheduler.get_job("report").func()  # the wrapper the scheduler runs: must not raise
        assert scheduler.running
    finally:
        scheduler.shutdown(wait=False)
    return logs


@pytest.mark.parametrize("listening", [True, False])
def test_a_failing_mail_server_is_logged_and_the_daemon_runs_on(
    tmp_path: Path, sqlite_engine: Engine, listening: bool
) -> None:
    """A server that rejects the message (554), or none listening: the files stay, the failure
    is logged (level error), and the job returns to the scheduler, which runs on."""
    with LocalSmtp(refuse=554) as smtp:
        port = smtp.port if listening else unused_port()
        app = app_at(settings(tmp_path, sqlite_engine, email=True, port=port), sqlite_engine,
                     MONDAY_7)  # fmt: skip
        logs = run_as_the_daemon(app)
    assert smtp.messages == []
    (failed,) = [line for line in logs if line.get("status") == "error"]
    assert failed["event"] == "report.written" and failed["log_level"] == "error"
    assert failed["error"].startswith("mail: SMTP" if listening else "mail: ConnectionRefused")
    assert (tmp_path / "var" / "reports" / "report-2026-12-07.html").exists()


def test_a_folder_that_cannot_be_made_is_logged(tmp_path: Path, sqlite_engine: Engine) -> None:
    """report.folder is taken by a file: the run fails at "write", logged, nothing raised."""
    app = app_at(settings(tmp_path, sqlite_engine), sqlite_engine, MONDAY_7)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "reports").write_text("not a folder", encoding="utf-8")
    with capture_logs() as logs:
        outcome = weekly_report(app)
    assert outcome.error is not None and outcome.error.startswith("write: ")
    assert {"event": "report.written", "status": "error"}.items() <= logs[-1].items()


@pytest.mark.parametrize(
    ("now", "next_run"),
    [
        (datetime(2026, 12, 6, 20, 0, tzinfo=LOCAL), MONDAY_7),  # Sunday evening
        (MONDAY_7, MONDAY_7),  # at the minute itself: this one
        (MONDAY_7 + timedelta(seconds=1), MONDAY_7 + timedelta(weeks=1)),  # just past it
    ],
)
def test_runs_every_monday_at_seven_local_time(now: datetime, next_run: datetime) -> None:
    """Asia/Ho_Chi_Minh's Monday 07:00, from a Sunday evening, at 07:00 and at 07:00:01."""
    fire = weekly_trigger("Asia/Ho_Chi_Minh").get_next_fire_time(None, now)
    assert fire == next_run and fire.utcoffset() == timedelta(hours=7)


def test_the_job_is_scheduled_only_when_weekly(tmp_path: Path, sqlite_engine: Engine) -> None:
    """report.weekly = true adds the "report" job (one at a time, missed runs coalesced);
    false leaves it out."""
    path = settings(tmp_path, sqlite_engine)
    job = build_scheduler(App(load_settings(path))).get_job("report")
    assert job is not None and job.max_instances == 1 and job.coalesce is True
    path.write_text(path.read_text(encoding="utf-8").replace("[report]\n", "[report]\nweekly = false\n"),
                    encoding="utf-8")  # fmt: skip
    assert build_scheduler(App(load_settings(path))).get_job("report") is None
