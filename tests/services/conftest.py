"""An App over the test database (SQLite or PostgreSQL), with the Sở KH&CN feed going to a
Facebook Page and a Zalo OA, and a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from syndicator.app import App
from tests.helpers.apps import app_over

SETTINGS = """
timezone = "Asia/Ho_Chi_Minh"

[database]
url = "{url}"

[render]
templates = "{templates}"

[channels.facebook]
page_id = "1234567890"

[channels.zalo]
app_id = "123"
enabled = false  # no secret here: the queue only needs its type

[channels.sandbox]
folder = "var/outbox"

[pacing.facebook]
quiet_hours = ""
min_spacing = "15m"

[[feeds]]
id = "skhcn"
name = "Sở Khoa học và Công nghệ"
url = "https://skhcn.gov.vn/rss"
agency = "Sở KH&CN"
channels = ["facebook", "zalo"]

[[feeds]]
id = "soyte"
name = "Sở Y tế"
url = "https://soyte.gov.vn/rss"
channels = ["facebook"]
"""


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> Iterator[App]:
    """The App as a front end gets it, on the same database as `engine`."""
    built = app_over(engine, tmp_path, SETTINGS)
    yield built
    built.close()
