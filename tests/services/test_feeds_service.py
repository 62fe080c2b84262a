"""The feed report through the service: every configured feed, polled or not."""

from __future__ import annotations

from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services.feeds import feed_report
from syndicator.services.names import SHOWN_NAMES, UnknownName


def test_report_lists_every_feed_in_settings_order(engine: Engine, app: App) -> None:
    """A feed never polled is in the report, with nothing known yet."""
    rows = feed_report(app)
    assert [row.feed for row in rows] == ["skhcn", "soyte"]
    assert rows[0].name == "Sở Khoa học và Công nghệ"
    assert rows[0].last_success is None and rows[0].items_30d == 0 and not rows[0].broken


def test_unknown_name_lists_a_few_and_points_to_the_rest() -> None:
    """With hundreds of feeds the message names the first ones and the command listing all."""
    known = [f"xa-{n:03}" for n in range(200)]
    message = str(UnknownName("feed", "xa-999", known))
    assert message.startswith("unknown feed 'xa-999'; known feeds: xa-000, xa-001")
    assert f"and {200 - SHOWN_NAMES} more (`syndicator feeds list` shows them)" in message
    assert "\n" not in message
