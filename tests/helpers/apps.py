"""The App as a front end gets it (services, the CLI, the web page), over a test's database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from syndicator.app import App
from syndicator.config import load_settings
from tests.helpers.clock import FakeClock
from tests.helpers.posts import NOW, TEMPLATES


def settings_file(tmp_path: Path, engine: Engine, template: str) -> Path:
    """`template`'s settings ({url}: the engine's database, {templates}: the operator's folder)
    written to tmp_path/settings.toml."""
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "settings.toml"
    path.write_text(template.format(url=url, templates=TEMPLATES), encoding="utf-8")
    return path


def app_over(engine: Engine, tmp_path: Path, template: str) -> App:
    """An App on the same database as `engine`, its clock an hour after the test posts' NOW."""
    return App(
        load_settings(settings_file(tmp_path, engine, template)),
        FakeClock(NOW + timedelta(hours=1)),
    )
