"""The channel report (token, pause, last error) and resuming a paused channel by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from structlog.testing import capture_logs

from connectors.base import Health
from storage import publishing as publish_store
from storage.session import reading, writing
from syndicator.app import App
from syndicator.services import channels, tokens
from syndicator.services.names import UnknownName
from syndicator.services.tokens import TokenStatus
from tests.helpers.clock import FakeClock
from tests.helpers.posts import feed, make_posts, walk


def pause(app: App, channel: str, hours: int | None, reason: str) -> None:
    now = app.clock.now()
    until = now + timedelta(hours=hours) if hours is not None else None
    with writing(app.migrated_engine()) as session:
        publish_store.set_pause(session, channel, until, reason, now, strikes=3)


def test_report_names_each_channel_with_its_pause_and_last_error(engine: Engine, app: App) -> None:
    """Disabled channels are listed without asking their platform; a pause shows since, until
    and why; the newest error a post recorded is the channel's last error."""
    (post_id,) = make_posts(engine, feed())
    with writing(engine) as session:
        path = [("approve", "approved"), ("claim", "publishing"), ("refuse", "failed")]
        walk(session, post_id, path, app.clock.now(), last_error="(#200) Permissions error")
    pause(app, "facebook", None, "token expired (code 190)")
    rows = {row.name: row for row in channels.channel_report(app)}
    assert sorted(rows) == ["facebook", "sandbox", "zalo"]
    facebook = rows["facebook"]
    assert facebook.paused and facebook.paused_until is None
    assert facebook.pause_reason == "token expired (code 190)"
    assert facebook.last_error == "(#200) Permissions error"
    assert facebook.token is not None and not facebook.token.ok  # no page token in the tests
    assert rows["zalo"].token is None and not rows["zalo"].enabled
    assert not rows["sandbox"].paused and rows["sandbox"].last_error is None


def test_resume_lifts_the_pause_and_logs_who(app: App) -> None:
    pause(app, "facebook", 2, "rate limited")
    with capture_logs() as logs:
        channels.resume_channel(app, "facebook", by="quan-tri")
    with reading(app.migrated_engine()) as session:
        assert publish_store.pause_of(session, "facebook") is None
        assert publish_store.strikes_of(session, "facebook") == 0
    (event,) = [line for line in logs if line["event"] == "channel.resumed"]
    assert (event["channel"], event["by"], event["reason"]) == (
        "facebook",
        "quan-tri",
        "rate limited",
    )


def test_resume_refuses_an_unpaused_or_unknown_channel(app: App) -> None:
    with pytest.raises(channels.ChannelNotPaused):
        channels.resume_channel(app, "facebook", by="quan-tri")
    with pytest.raises(UnknownName):
        channels.resume_channel(app, "facebok", by="quan-tri")


class CountingConnector:
    """A connector whose check is counted: how often the report asked the platform."""

    def __init__(self) -> None:
        self.checks = 0

    def check(self) -> Health:
        self.checks += 1
        return Health(True, f"checked {self.checks} time(s)")


def test_the_report_asks_the_platforms_at_most_once_in_five_minutes(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports within TOKEN_CHECK_AGE reuse the last check (with its time); at exactly that
    age the platforms are asked again; `fresh` asks at once; refreshing tokens forgets it."""
    connector = CountingConnector()
    monkeypatch.setattr(app, "connectors", lambda: ({"facebook": connector}, {}))
    clock: FakeClock = app.clock  # type: ignore[assignment]
    asked_at = clock.now()

    def facebook_token() -> TokenStatus | None:
        return {row.name: row for row in channels.channel_report(app)}["facebook"].token

    first = facebook_token()
    assert connector.checks == 1 and first is not None and first.checked_at == asked_at
    clock.advance(seconds=channels.TOKEN_CHECK_AGE.total_seconds() - 1)
    assert facebook_token() == first and connector.checks == 1
    clock.advance(seconds=1)
    later = facebook_token()
    assert connector.checks == 2 and later is not None and later.checked_at == clock.now()
    channels.channel_report(app, fresh=True)
    assert connector.checks == 3
    tokens.refresh_tokens(app)
    facebook_token()
    assert connector.checks == 4
