"""The state a command gets: the settings path, and the App built on first use."""

from __future__ import annotations

from pathlib import Path

from syndicator.app import App, build_app
from syndicator.config import config_path
from syndicator.logs import configure_logging


class Context:
    """Carries --config to subcommands and builds the App on first use."""

    def __init__(self, config: str | None) -> None:
        self.config: Path = config_path(config)
        self._app: App | None = None

    def app(self, quiet: bool = False) -> App:
        if self._app is None:
            self._app = build_app(self.config)
            settings = self._app.settings.logging
            configure_logging(
                settings.model_copy(update={"level": "warning"}) if quiet else settings
            )
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
