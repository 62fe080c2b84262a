"""Token status through the service: each enabled channel, with what is wrong and the fix."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services.publishing import ChannelUnavailable, channels
from syndicator.services.tokens import token_status


def test_missing_page_token_names_the_variable(engine: Engine, app: App) -> None:
    """A Facebook channel without a token cannot publish and says which variable to set; the
    sandbox can."""
    report = {row.channel: row for row in token_status(app)}
    assert report["sandbox"].ok
    assert not report["facebook"].ok
    assert "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in report["facebook"].detail


def test_publishing_names_why_a_channel_is_skipped(engine: Engine, app: App) -> None:
    """A pass skips the channel without its token, and refuses to run on it alone."""
    with pytest.raises(ChannelUnavailable, match="no Page token"):
        channels(app, "facebook")
