"""Alerts: each condition opens one alert, is sent once, resolves, and reopens when it recurs."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
import requests
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine
from structlog.testing import capture_logs

from storage import alerts as alert_store
from storage.alerts import AlertSnapshot, PausedChannel, StoredToken
from storage.models import Alert, ChannelPause, ChannelToken, FeedState, Item, Post
from storage.session import reading, writing
from syndicator.ops import alerts
from syndicator.settings_models import AlertSettings
from tests.helpers.clock import FakeClock
from tests.helpers.httpserver import LocalServer, Reply

PASSWORD = "hunter2-smtp-secret"
LIFETIME = timedelta(days=90)  # a Zalo refresh token's life from the last rotation


@pytest.fixture
def receiver() -> Iterator[LocalServer]:
    """A webhook receiver on 127.0.0.1 that accepts POSTs to /hook."""
    with LocalServer() as server:
        server.route("/hook", Reply(b"ok"))
        yield server


class FakeSmtp:
    """Records what smtplib.SMTP would have been asked to do; `fail` makes login raise."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[str] = []
        self.messages: list[EmailMessage] = []
        self.connections: list[tuple[str, int, float]] = []

    def __call__(self, host: str, port: int, timeout: float) -> FakeSmtp:
        self.connections.append((host, port, timeout))
        return self

    def starttls(self, *, context: Any = None) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")
        if self.fail:
            raise smtplib.SMTPAuthenticationError(535, f"bad credentials {password}".encode())

    def send_message(self, msg: EmailMessage) -> None:
        self.messages.append(msg)

    def quit(self) -> None:
        self.calls.append("quit")


def recording_session() -> tuple[requests.Session, list[dict[str, Any]]]:
    """A requests session that keeps the JSON body of every request it sends."""
    session, bodies = requests.Session(), []
    session.hooks["response"].append(lambda r, *_a, **_k: bodies.append(json.loads(r.request.body)))
    return session, bodies


def pause(engine: Engine, now: datetime, channel: str = "facebook", until: Any = None) -> None:
    with writing(engine) as session:
        session.add(
            ChannelPause(channel=channel, until=until, reason="AuthProblem: token", since=now)
        )


def unpause(engine: Engine, channel: str = "facebook") -> None:
    with writing(engine) as session:
        row = session.get(ChannelPause, channel)
        assert row is not None
        session.delete(row)


def every_condition(engine: Engine, now: datetime) -> int:
    """A paused channel, a token 3 days from expiry, a broken feed, a stuck post; the post id."""
    pause(engine, now)
    with writing(engine) as session:
        session.add(
            ChannelToken(
                channel="zalo",
                access_token_enc="a",
                refresh_token_enc="r",
                expires_at=now + timedelta(hours=25),
                updated_at=now - LIFETIME + timedelta(days=3),
            )
        )
        session.add(
            FeedState(
                feed_id="skhcn",
                url="https://skhcn.example.gov.vn/rss",
                broken=True,
                consecutive_failures=10,
                last_error="HTTP 503",
            )
        )
        item = Item(title="Tin", title_key="tin", first_feed_id="skhcn", created_at=now)
        session.add(item)
        session.flush()
        post = Post(
            item_id=item.id or 0,
            channel="zalo",
            feed_id="skhcn",
            status="needs_attention",
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        session.flush()
        return post.id or 0


def stored(engine: Engine) -> list[Alert]:
    with reading(engine) as session:
        return sorted(alert_store.recent(session, limit=1000), key=lambda a: a.id or 0)


def test_each_condition_opens_one_alert_and_a_second_tick_opens_nothing(
    engine: Engine, clock: FakeClock
) -> None:
    """Pause, expiring token, broken feed, needs_attention post: one alert each, once."""
    post_id = every_condition(engine, clock.now())
    settings, http = AlertSettings(), requests.Session()
    opened = alerts.check(engine, settings, http, FakeSmtp(), clock.now())
    assert sorted(a.key for a in opened) == sorted(
        [
            "channel_paused:facebook",
            "token_expiring:zalo",
            "feed_broken:skhcn",
            f"needs_attention:{post_id}",
        ]
    )
    assert all(a.subject and " / " in a.subject for a in opened)
    clock.advance(minutes=1)
    assert alerts.check(engine, settings, http, FakeSmtp(), clock.now()) == []
    assert len(stored(engine)) == 4 and all(a.resolved_at is None for a in stored(engine))


def test_resolved_condition_that_recurs_opens_a_new_alert(engine: Engine, clock: FakeClock) -> None:
    """A pause lifted resolves its alert; the same pause later is a new alert, sent again."""
    settings, http = AlertSettings(), requests.Session()
    pause(engine, clock.now())
    (first,) = alerts.check(engine, settings, http, FakeSmtp(), clock.now())
    unpause(engine)
    assert alerts.check(engine, settings, http, FakeSmtp(), clock.advance(minutes=1)) == []
    (gone,) = stored(engine)
    assert gone.resolved_at == clock.now()
    pause(engine, clock.advance(minutes=1))
    (second,) = alerts.check(engine, settings, http, FakeSmtp(), clock.now())
    assert second.key == first.key and second.id != first.id
    assert [a.resolved_at is None for a in stored(engine)] == [False, True]


def test_webhook_gets_exactly_one_post_per_alert(
    sqlite_engine: Engine, clock: FakeClock, receiver: LocalServer
) -> None:
    """Three ticks over four conditions send four POSTs, each with the alert's fields."""
    every_condition(sqlite_engine, clock.now())
    settings = AlertSettings(webhook_url=receiver.url("/hook"))
    http, bodies = recording_session()
    for _ in range(3):
        alerts.check(sqlite_engine, settings, http, FakeSmtp(), clock.advance(minutes=1))
    assert receiver.hits("/hook") == 4
    assert {tuple(sorted(body)) for body in bodies} == {
        ("detail", "key", "kind", "opened_at", "subject")
    }
    assert sorted(body["key"] for body in bodies) == sorted(a.key for a in stored(sqlite_engine))
    assert all(a.notified_at is not None for a in stored(sqlite_engine))


def test_failing_webhook_is_retried_on_the_next_tick(
    sqlite_engine: Engine, clock: FakeClock, receiver: LocalServer
) -> None:
    """A 500 leaves notified_at empty; the next tick sends again, and then never more."""
    receiver.route("/hook", Reply(b"down", 500))
    pause(sqlite_engine, clock.now())
    settings = AlertSettings(webhook_url=receiver.url("/hook"))
    http = requests.Session()
    with capture_logs() as logs:
        alerts.check(sqlite_engine, settings, http, FakeSmtp(), clock.now())
    (alert,) = stored(sqlite_engine)
    assert alert.notified_at is None and receiver.hits("/hook") == 1
    assert {"event": "alert.sent", "status": "error", "error": "HTTP 500"}.items() <= next(
        line for line in logs if line["event"] == "alert.sent"
    ).items()
    receiver.route("/hook", Reply(b"ok"))
    alerts.check(sqlite_engine, settings, http, FakeSmtp(), clock.advance(minutes=1))
    alerts.check(sqlite_engine, settings, http, FakeSmtp(), clock.advance(minutes=1))
    (alert,) = stored(sqlite_engine)
    assert receiver.hits("/hook") == 2
    assert alert.notified_at == clock.now() - timedelta(minutes=1)


def test_email_goes_once_through_the_smtp_factory(sqlite_engine: Engine, clock: FakeClock) -> None:
    """All alerts of a tick go in one message, with STARTTLS and login; the next tick sends none."""
    every_condition(sqlite_engine, clock.now())
    smtp = FakeSmtp()
    settings = email_settings()
    alerts.check(sqlite_engine, settings, requests.Session(), smtp, clock.now())
    alerts.check(sqlite_engine, settings, requests.Session(), smtp, clock.advance(minutes=1))
    (message,) = smtp.messages
    assert smtp.connections == [("smtp.example.gov.vn", 587, 10.0)]
    assert smtp.calls == ["starttls", "login alerts@example.gov.vn", "quit"]
    assert message["To"] == "it@example.gov.vn, duty@example.gov.vn"
    assert "4 cảnh báo" in message["Subject"]
    assert "Kênh facebook tạm dừng" in message.get_content()
    assert all(a.emailed_at and a.notified_at for a in stored(sqlite_engine))


def test_partial_failure_retries_only_the_destination_that_failed(
    sqlite_engine: Engine, clock: FakeClock, receiver: LocalServer
) -> None:
    """Webhook accepted, e-mail refused: the next tick e-mails again but does not re-POST."""
    pause(sqlite_engine, clock.now())
    settings = email_settings(webhook_url=receiver.url("/hook"))
    http = requests.Session()
    alerts.check(sqlite_engine, settings, http, FakeSmtp(fail=True), clock.now())
    (alert,) = stored(sqlite_engine)
    assert alert.webhook_sent_at and alert.emailed_at is None and alert.notified_at is None
    smtp = FakeSmtp()
    alerts.check(sqlite_engine, settings, http, smtp, clock.advance(minutes=1))
    (alert,) = stored(sqlite_engine)
    assert receiver.hits("/hook") == 1 and len(smtp.messages) == 1
    assert alert.notified_at == clock.now()


def test_smtp_password_never_in_logs_or_alerts(sqlite_engine: Engine, clock: FakeClock) -> None:
    """A server that echoes the password in its refusal does not get it into the log line."""
    every_condition(sqlite_engine, clock.now())
    settings = email_settings()
    with capture_logs() as logs:
        alerts.check(sqlite_engine, settings, requests.Session(), FakeSmtp(fail=True), clock.now())
    assert any(line.get("status") == "error" for line in logs)
    assert PASSWORD not in repr(logs)
    assert PASSWORD not in repr(settings)
    assert not any(PASSWORD in a.subject + a.detail for a in stored(sqlite_engine))


def test_token_expiring_within_token_days_only(clock: FakeClock) -> None:
    """A refresh token 6 days from expiry warns with token_days = 7, not with token_days = 5."""
    now = clock.now()
    token = StoredToken(
        "zalo", now + timedelta(hours=1), updated_at=now - LIFETIME + timedelta(days=6)
    )
    snapshot = AlertSnapshot(pauses=[], tokens=[token], broken_feeds=[], stuck_posts=[])
    assert list(alerts.conditions(snapshot, AlertSettings(token_days=7), now)) == [
        "token_expiring:zalo"
    ]
    assert alerts.conditions(snapshot, AlertSettings(token_days=5), now) == {}


def test_fresh_access_token_expiry_alone_does_not_warn(clock: FakeClock) -> None:
    """The access token lives a day and renews itself: a freshly rotated pair raises nothing."""
    now = clock.now()
    token = StoredToken("zalo", access_expires_at=now + timedelta(hours=2), updated_at=now)
    snapshot = AlertSnapshot(pauses=[], tokens=[token], broken_feeds=[], stuck_posts=[])
    assert alerts.conditions(snapshot, AlertSettings(), now) == {}


def test_pause_that_ended_is_no_condition(clock: FakeClock) -> None:
    """A rate-limit pause whose time has passed raises nothing; one still running does."""
    now = clock.now()
    snapshot = AlertSnapshot(
        pauses=[
            PausedChannel("facebook", "RateLimited", now - timedelta(minutes=1)),
            PausedChannel("zalo", "RateLimited", now + timedelta(minutes=30)),
        ],
        tokens=[],
        broken_feeds=[],
        stuck_posts=[],
    )
    assert list(alerts.conditions(snapshot, AlertSettings(), now)) == ["channel_paused:zalo"]


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"webhook_url": "ftp://hooks.example"}, "not an http"),
        ({"email_to": ["it@example.gov.vn"]}, "smtp_host"),
        ({"email_to": ["it@example.gov.vn"], "smtp_host": "smtp.example"}, "smtp_from"),
    ],
)
def test_alert_settings_refuse_incomplete_destinations(
    values: dict[str, Any], fragment: str
) -> None:
    """A webhook must be http(s); e-mail needs a server and a sender."""
    with pytest.raises(ValidationError, match=fragment):
        AlertSettings(**values)


def email_settings(**extra: Any) -> AlertSettings:
    return AlertSettings(
        smtp_host="smtp.example.gov.vn",
        smtp_user="alerts@example.gov.vn",
        smtp_password=SecretStr(PASSWORD),
        email_to=["it@example.gov.vn", "duty@example.gov.vn"],
        **extra,
    )
