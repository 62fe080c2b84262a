"""Alerts: paused channels, expiring tokens, broken feeds, stuck posts and engagement metrics a
channel cannot give, told once each.

    conditions(snapshot, settings, now, token_lifetimes)  pure: what is wrong now, by stable key
    sync(engine, conditions, now)        opens new keys, resolves gone ones, never repeats
    notify(alerts, settings, http, smtp) sends to the webhook and by e-mail; returns what went
    check(...)                           all three, every minute from the daemon
Sent when it opens, and on later ticks only until a send succeeds. A condition that goes away
resolves its alert; if it comes back, that is a new alert.
"""

from __future__ import annotations

import contextlib
import email.policy
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import Policy
from typing import Any, NamedTuple, Protocol

import requests
import structlog
from sqlalchemy import Engine

from connectors.registry import shortest_token_lifetime
from storage import alerts as alert_store
from storage.alerts import AlertSnapshot
from storage.models import Alert
from storage.session import reading, writing
from syndicator.settings_models import AlertSettings

log = structlog.get_logger("syndicator.ops.alerts")

CHANNEL_PAUSED = "channel_paused"
TOKEN_EXPIRING = "token_expiring"  # noqa: S105 (an alert kind, not a password)
FEED_BROKEN = "feed_broken"
NEEDS_ATTENTION = "needs_attention"
METRIC_OFF = "reach_metric_off"
SMTPS_PORT = 465
_FALLBACK_LIFETIME = shortest_token_lifetime()  # for a stored pair of an unknown channel


class Condition(NamedTuple):
    kind: str
    subject: str
    detail: str


Delivery = tuple[int, str]  # (alert id, "webhook" | "email")


class Mailer(Protocol):  # the part of smtplib.SMTP used here; tests pass a fake
    def starttls(self, *, context: ssl.SSLContext | None = ...) -> Any: ...
    def login(self, user: str, password: str) -> Any: ...
    def send_message(self, msg: EmailMessage) -> Any: ...
    def quit(self) -> Any: ...


SmtpFactory = Callable[[str, int, float], Mailer]


def connect_smtp(host: str, port: int, timeout: float) -> Mailer:
    """The real SMTP connection: TLS from the start on port 465, plain (then STARTTLS) otherwise."""
    if port == SMTPS_PORT:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    return smtplib.SMTP(host, port, timeout=timeout)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def conditions(
    snapshot: AlertSnapshot,
    settings: AlertSettings,
    now: datetime,
    token_lifetimes: Mapping[str, timedelta] | None = None,
) -> dict[str, Condition]:
    """What needs a person now, keyed so the same condition keeps the same key.

    `token_lifetimes`: how long each channel's stored refresh token lives (App.token_lifetimes,
    from the channels' kinds); a channel not in it is given the shortest any kind has."""
    found: dict[str, Condition] = {}
    for pause in snapshot.pauses:
        if pause.until is not None and pause.until <= now:
            continue  # over; the publisher clears the row on its next run
        until = _when(pause.until) if pause.until else "cần người xử lý / until fixed"
        found[f"{CHANNEL_PAUSED}:{pause.channel}"] = Condition(
            CHANNEL_PAUSED,
            f"Kênh {pause.channel} tạm dừng / Channel {pause.channel} paused",
            f"{pause.reason} (đến / until: {until})",
        )
    for token in snapshot.tokens:
        # Each refresh rotates the pair and issues a new refresh token (Zalo: 3 months); the
        # access token lives a day and is renewed on demand, so its expiry is no warning sign.
        lifetime = (token_lifetimes or {}).get(token.channel, _FALLBACK_LIFETIME)
        if lifetime is None:
            continue  # no kind stores tokens: the row is a leftover
        expires = token.updated_at + lifetime
        if expires - now <= timedelta(days=settings.token_days):
            found[f"{TOKEN_EXPIRING}:{token.channel}"] = Condition(
                TOKEN_EXPIRING,
                f"Token kênh {token.channel} sắp hết hạn / Channel {token.channel} token expiring",
                f"refresh token hết hạn khoảng / expires about {_when(expires)}; "
                f"chạy / run `syndicator tokens refresh` hoặc cấp lại / or issue a new one",
            )
    for feed in snapshot.broken_feeds:
        last_ok = _when(feed.last_success_at) if feed.last_success_at else "chưa bao giờ / never"
        found[f"{FEED_BROKEN}:{feed.feed_id}"] = Condition(
            FEED_BROKEN,
            f"Nguồn tin {feed.feed_id} lỗi / Feed {feed.feed_id} broken",
            f"{feed.failures} lần lỗi liên tiếp / failures in a row; "
            f"lần cuối thành công / last success: {last_ok}; {feed.last_error or ''}".rstrip("; "),
        )
    for post in snapshot.stuck_posts:
        found[f"{NEEDS_ATTENTION}:{post.post_id}"] = Condition(
            NEEDS_ATTENTION,
            f"Bài {post.post_id} ({post.channel}) cần kiểm tra / Post {post.post_id} needs attention",
            "không rõ đã đăng hay chưa: kiểm tra trên kênh / unknown whether it was published: "
            f"check the channel. {post.last_error or ''}".strip(),
        )
    found.update(_metrics_off(snapshot))
    return found


def _metrics_off(snapshot: AlertSnapshot) -> dict[str, Condition]:
    """One alert per channel and metric switched off (storage/reach.py), open while the row is
    there: asked again at `until` and refused again, it stays one alert; given again, resolved."""
    return {
        f"{METRIC_OFF}:{off.channel}:{off.metric}": Condition(
            METRIC_OFF,
            f"Kênh {off.channel} không đọc được chỉ số {off.metric} / "
            f"Channel {off.channel} cannot read {off.metric}",
            f"{off.reason} (hiển thị là không rõ; thử lại sau / shown as unknown; "
            f"asked again after {_when(off.until)})",
        )
        for off in snapshot.metrics_off
    }


def sync(engine: Engine, found: dict[str, Condition], now: datetime) -> list[Alert]:
    """Open an alert for each new key and resolve those whose condition went away; returns
    the alerts opened now (an alert still open is left as it is: no repeat)."""
    opened: list[Alert] = []
    with writing(engine) as session:
        current = {alert.key: alert for alert in alert_store.open_alerts(session)}
        for key, alert in current.items():
            if key not in found:
                alert.resolved_at = now
                session.add(alert)
                log.info("alert.resolved", key=key, kind=alert.kind)
        for key in sorted(found.keys() - current.keys()):
            opened.append(Alert(key=key, opened_at=now, **found[key]._asdict()))
        session.add_all(opened)
        session.flush()
    for alert in opened:
        log.warning("alert.opened", key=alert.key, kind=alert.kind, alert=alert.id)
    return opened


def destinations(settings: AlertSettings) -> set[str]:
    wanted = {"webhook": settings.webhook_url, "email": settings.email_to}
    return {name for name, value in wanted.items() if value}


def notify(
    alerts: Sequence[Alert],
    settings: AlertSettings,
    http: requests.Session,
    smtp_factory: SmtpFactory = connect_smtp,
) -> list[Delivery]:
    """Send each alert to every destination that has not accepted it yet; returns the sends
    that succeeded. A failed destination is left for the next tick."""
    sent: list[Delivery] = []
    if settings.webhook_url:
        for alert in alerts:
            if alert.webhook_sent_at is None:
                if not _post_webhook(alert, settings.webhook_url, settings, http):
                    break  # the receiver is down: spare the rest the timeout, retry next tick
                sent.append((alert.id or 0, "webhook"))
    waiting = [alert for alert in alerts if alert.emailed_at is None]
    if settings.email_to and waiting and _send_email(waiting, settings, smtp_factory):
        sent.extend((alert.id or 0, "email") for alert in waiting)
    return sent


def _post_webhook(alert: Alert, url: str, settings: AlertSettings, http: requests.Session) -> bool:
    payload = {
        "key": alert.key,
        "kind": alert.kind,
        "subject": alert.subject,
        "detail": alert.detail,
        "opened_at": alert.opened_at.isoformat(),
    }
    try:
        response = http.post(url, json=payload, timeout=settings.timeout.total_seconds())
        problem = None if response.ok else f"HTTP {response.status_code}"
    except requests.RequestException as error:
        problem = type(error).__name__  # not str(error): a webhook URL may hold a secret path
    (log.warning if problem else log.info)(
        "alert.sent",
        destination="webhook",
        key=alert.key,
        status="error" if problem else "ok",
        error=problem,
    )
    return problem is None


def _send_email(alerts: Sequence[Alert], settings: AlertSettings, factory: SmtpFactory) -> bool:
    """One message for all the alerts waiting, to every address in `email_to`."""
    problem = send_message(_message(alerts, settings), settings, factory)
    if problem:
        log.warning(
            "alert.sent", destination="email", alerts=len(alerts), status="error", error=problem
        )
        return False
    log.info("alert.sent", destination="email", alerts=len(alerts), status="ok")
    return True


def send_message(
    message: EmailMessage, settings: AlertSettings, factory: SmtpFactory
) -> str | None:
    """Send `message` through the alert mail server (STARTTLS and login as the settings say);
    returns None, or what went wrong with the password blanked out (for the caller's log)."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
    try:
        mailer = factory(
            settings.smtp_host or "", settings.smtp_port, settings.timeout.total_seconds()
        )
        try:
            if settings.smtp_starttls and settings.smtp_port != SMTPS_PORT:
                mailer.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                mailer.login(settings.smtp_user, password)
            mailer.send_message(message)
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                mailer.quit()
    except (smtplib.SMTPException, OSError) as error:
        text = f"{type(error).__name__}: {error}"
        return text.replace(password, "[redacted]") if password else text  # an echoing server
    return None


def mail_header(settings: AlertSettings, policy: Policy = email.policy.default) -> EmailMessage:
    """A message from the alert sender to every address in `email_to`, to fill in."""
    message = EmailMessage(policy=policy)
    message["From"] = settings.smtp_from or settings.smtp_user or ""
    message["To"] = ", ".join(settings.email_to)
    return message


def _message(alerts: Sequence[Alert], settings: AlertSettings) -> EmailMessage:
    message = mail_header(settings)
    message["Subject"] = (
        f"[Syndicator] {alerts[0].subject}"
        if len(alerts) == 1
        else f"[Syndicator] {len(alerts)} cảnh báo / alerts"
    )
    message.set_content(
        "\n\n".join(
            f"{alert.subject}\n{alert.detail}\n{alert.key} · {_when(alert.opened_at)}"
            for alert in alerts
        )
    )
    return message


def check(
    engine: Engine,
    settings: AlertSettings,
    http: requests.Session,
    smtp_factory: SmtpFactory,
    now: datetime,
    token_lifetimes: Mapping[str, timedelta] | None = None,
) -> list[Alert]:
    """Gather, sync and notify; returns the alerts opened on this tick."""
    with alert_store.exclusive(engine) as mine:
        if not mine:
            return []  # another daemon is checking (PostgreSQL)
        with reading(engine) as session:
            snapshot = alert_store.snapshot(session)
        opened = sync(engine, conditions(snapshot, settings, now, token_lifetimes), now)
        with reading(engine) as session:
            waiting = alert_store.unsent(session) if destinations(settings) else []
        sent = notify(waiting, settings, http, smtp_factory)
        if sent:
            with writing(engine) as session:
                alert_store.mark_sent(session, sent, destinations(settings), now)
    log.info("alerts.checked", opened=len(opened), waiting=len(waiting), sent=len(sent))
    return opened
