"""The weekly report (issue #12): the daemon writes the portal report of the last `report.period`
to `report.folder` as report-YYYY-MM-DD.html and .json (the day the period ends, local time),
and when `report.email` is true mails the HTML file with the alert mail settings.

A failure (reading the database, writing a file, sending the mail) is logged with its step and
returned, never raised: the daemon goes on, and the next Monday tries again. It opens no alert:
alerts are conditions read again from the database every minute (ops/alerts.py), and a failed
weekly run is not one of them (its log line, level error, is what an operator's log watch sees).
"""

from __future__ import annotations

import email.policy
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import structlog

from syndicator.app import App
from syndicator.ops import alerts
from syndicator.report.formats import to_json
from syndicator.report.html import render_html
from syndicator.report.measures import report_between
from syndicator.report.model import Report
from syndicator.settings_models import AlertSettings

log = structlog.get_logger("syndicator.ops.report_job")
T = TypeVar("T")
# Headers folded at 998, not 78: Python 3.11 drops the space where it folds a run of Vietnamese
# words between two encoded words ("cổng thông" reads "cổngthông"). The body is quoted-printable,
# so its lines stay short all the same.
MAIL_POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class WeeklyReport:
    """What one weekly run did."""

    html: Path | None
    json: Path | None
    emailed: bool
    error: str | None  # "write: PermissionError: …"; None when every step went through


def weekly_report(app: App, smtp_factory: alerts.SmtpFactory = alerts.connect_smtp) -> WeeklyReport:
    """Build, write and (when report.email) mail the report; see the module's docstring."""
    settings = app.settings
    report = _step("build", lambda: build(app))
    if isinstance(report, str):
        return _failed(WeeklyReport(None, None, False, report))
    folder = settings.resolve_path(settings.report.folder)
    day = report.until.astimezone(ZoneInfo(settings.timezone)).date()
    files = _step("write", lambda: write_files(report, folder, day, settings.timezone))
    if isinstance(files, str):
        return _failed(WeeklyReport(None, None, False, files))
    html, data = files
    if settings.report.email:
        message = report_message(report, html, settings.alerts, settings.timezone)
        problem = alerts.send_message(message, settings.alerts, smtp_factory)
        if problem:
            return _failed(WeeklyReport(html, data, False, f"mail: {problem}"))
    done = WeeklyReport(html, data, settings.report.email, None)
    log.info("report.written", status="ok", html=str(html), json=str(data), emailed=done.emailed)
    return done


def build(app: App) -> Report:
    """The report of the `report.period` before now, built as services/report.py builds it."""
    now = app.clock.now()
    since = now - app.settings.report.period
    return report_between(app.migrated_engine(), app.settings_with_added_feeds(), since, now, now)


def _step(name: str, work: Callable[[], T]) -> T | str:
    """`work`'s value, or "name: what went wrong" (logged with its traceback)."""
    try:
        return work()
    except Exception as error:  # any failure of this week's run must leave the daemon running
        log.exception("report.step_failed", step=name)
        return f"{name}: {type(error).__name__}: {error}"


def _failed(outcome: WeeklyReport) -> WeeklyReport:
    log.error("report.written", status="error", error=outcome.error, html=str(outcome.html))
    return outcome


def write_files(report: Report, folder: Path, day: date, timezone: str) -> tuple[Path, Path]:
    """report-DAY.html (Vietnamese) and report-DAY.json in `folder`, made if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"report-{day.isoformat()}"
    html = write_whole(folder / f"{stem}.html", render_html(report, "vi", timezone))
    return html, write_whole(folder / f"{stem}.json", to_json(report))


def write_whole(path: Path, text: str) -> Path:
    """Write a hidden file beside `path`, then rename it over `path`: a reader sees the old file
    or the whole new one, never half (a rename within a folder is atomic)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before it takes the name
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def report_message(
    report: Report, html: Path, settings: AlertSettings, timezone: str
) -> EmailMessage:
    """The mail: the totals in a few Vietnamese lines, the HTML file attached."""
    message = alerts.mail_header(settings, MAIL_POLICY)
    until = report.until.astimezone(ZoneInfo(timezone))
    message["Subject"] = f"[Syndicator] Báo cáo hoạt động cổng thông tin đến {until:%d/%m/%Y}"
    message.set_content(mail_text(report, html.name, timezone), cte="quoted-printable")
    message.add_attachment(html.read_bytes(), maintype="text", subtype="html", filename=html.name)
    return message


def mail_text(report: Report, attachment: str, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    since, until = report.since.astimezone(zone), report.until.astimezone(zone)
    totals = report.totals
    empty = sum(len(agency.empty_required) for agency in report.coverage)
    agencies = sum(bool(agency.empty_required) for agency in report.coverage)
    return (
        "Báo cáo hoạt động và chuyên mục của các cổng thông tin điện tử\n"
        f"Kỳ báo cáo: từ {since:%H:%M %d/%m/%Y} đến {until:%H:%M %d/%m/%Y} "
        f"({(report.until - report.since).days} ngày)\n\n"
        f"- Số cổng thông tin: {_number(totals.portals)}\n"
        f"- Cổng chậm cập nhật: {_number(totals.stale)}\n"
        f"- Tin bài trong kỳ: {_number(totals.items)}\n"
        f"- Chuyên mục bắt buộc chưa có tin: {_number(empty)} (ở {_number(agencies)} cơ quan)\n\n"
        f"Chi tiết trong tệp đính kèm {attachment} (mở bằng trình duyệt, có thể in).\n\n"
        "Thư gửi tự động từ Syndicator, vui lòng không trả lời.\n"
    )


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # 1.234: the Vietnamese thousands separator
