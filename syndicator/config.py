"""Load settings.toml, apply SYNDICATOR_<SECTION>__<KEY> overrides, and fail with one clear line."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from syndicator.errors import ConfigError
from syndicator.posts.pacing import PacingSettings
from syndicator.reach_settings import ReachSettings
from syndicator.report_settings import ReportSettings
from syndicator.settings_models import (
    CHANNEL_TYPES,
    SECRET_KEYS,
    AlertSettings,
    ChannelSettings,
    DaemonSettings,
    DatabaseSettings,
    FeedSettings,
    LoggingSettings,
    PollingSettings,
    PublishingSettings,
    RenderConfig,
    ReviewSettings,
    WebSettings,
    check_slug,
    check_timezone,
)

ENV_PREFIX = "SYNDICATOR_"
DEFAULT_PATH = Path("settings.toml")


class Settings(BaseSettings):
    """Everything the operator configures. Built once by the composition root, then passed in."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
    )

    timezone: str = "Asia/Ho_Chi_Minh"
    database: DatabaseSettings = DatabaseSettings()
    polling: PollingSettings = PollingSettings()
    feeds: list[FeedSettings] = Field(default_factory=list)
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    review: ReviewSettings = ReviewSettings()
    render: RenderConfig = RenderConfig()
    pacing: dict[str, PacingSettings] = Field(default_factory=dict)
    publishing: PublishingSettings = PublishingSettings()
    daemon: DaemonSettings = DaemonSettings()
    alerts: AlertSettings = AlertSettings()
    report: ReportSettings = ReportSettings()
    reach: ReachSettings = ReachSettings()
    web: WebSettings = WebSettings()
    logging: LoggingSettings = LoggingSettings()
    base_dir: Path = Path(".")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file, which arrives as init arguments.
        return env_settings, init_settings

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("channels", mode="before")
    @classmethod
    def _channel_type_from_name(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        typed = {}
        for name, table in value.items():
            table = dict(table) if isinstance(table, Mapping) else table
            if isinstance(table, dict) and "type" not in table and name in CHANNEL_TYPES:
                table["type"] = name
            typed[name] = table
        return typed

    @field_validator("channels")
    @classmethod
    def _channel_names_are_slugs(
        cls, value: dict[str, ChannelSettings]
    ) -> dict[str, ChannelSettings]:
        for name in value:
            check_slug(name)
        return value

    @model_validator(mode="after")
    def _feeds_are_consistent(self) -> Settings:
        seen: set[str] = set()
        for index, feed in enumerate(self.feeds):
            if feed.id in seen:
                raise ValueError(
                    f"feeds[{index}].id: {feed.id!r} is used twice; give each feed its own id"
                )
            seen.add(feed.id)
            problem = self.channel_problem(feed)
            if problem:
                raise ValueError(f"feeds[{index}].channels: {problem}")
        for name in self.pacing:
            if name not in self.channels:
                raise ValueError(
                    f"pacing.{name}: no channel {name!r}; define [channels.{name}] "
                    f"or remove [pacing.{name}]"
                )
        return self

    @model_validator(mode="after")
    def _report_is_consistent(self) -> Settings:
        for index, feed in enumerate(self.feeds):
            problem = self.category_problem(feed)
            if problem:
                raise ValueError(f"feeds[{index}].category: {problem}")
        if self.report.email and not self.alerts.email_to:
            raise ValueError(
                "report.email is true but alerts.email_to is empty; set alerts.email_to "
                "(and alerts.smtp_host) or set report.email = false"
            )
        return self

    def channel_problem(self, feed: FeedSettings) -> str | None:
        """Why `feed` names a channel these settings do not define, or None."""
        for channel in feed.channels:
            if channel not in self.channels:
                known = ", ".join(sorted(self.channels)) or "none"
                return (
                    f"unknown channel {channel!r}; define [channels.{channel}] or use one of: "
                    f"{known}"
                )
        return None

    def category_problem(self, feed: FeedSettings) -> str | None:
        """Why `feed`'s category is not one of [[report.categories]], or None. With no
        categories listed a feed's category is free text the report shows as it is; with a
        list, a name outside it is a typo that would hide the feed's items."""
        known = self.report.category_ids()
        if known and feed.category and feed.category not in known:
            return (
                f"unknown category {feed.category!r}; add it to [[report.categories]] or use "
                f"one of: {self.report.known()}"
            )
        return None

    def joining_problem(self, feed: FeedSettings) -> str | None:
        """Why a feed added outside settings.toml (the admin page) cannot join these settings:
        its id taken by a feed of the file, an unknown channel or category; else None."""
        if any(known.id == feed.id for known in self.feeds):
            return f"the id {feed.id!r} is already a feed of the settings file; choose another"
        return self.channel_problem(feed) or self.category_problem(feed)

    def with_feeds(self, feeds: Sequence[FeedSettings]) -> Settings:
        """These settings with `feeds` after the file's (each checked by joining_problem)."""
        return self.model_copy(update={"feeds": [*self.feeds, *feeds]})

    def feed(self, feed_id: str) -> FeedSettings:
        for feed in self.feeds:
            if feed.id == feed_id:
                return feed
        raise ConfigError(f"unknown feed {feed_id!r}; `syndicator feeds list` shows the ids")

    def resolve_path(self, value: str | Path) -> Path:
        """A path from the settings: relative paths are relative to the settings file's folder."""
        path = Path(value)
        return path if path.is_absolute() else self.base_dir / path

    def database_url(self) -> str:
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and url[len(prefix) :] not in ("", ":memory:"):
            return prefix + str(self.resolve_path(url[len(prefix) :]))
        return url


def config_path(cli_value: str | None, environ: Mapping[str, str] = os.environ) -> Path:
    """--config wins, then SYNDICATOR_CONFIG, then ./settings.toml."""
    return Path(cli_value or environ.get(ENV_PREFIX + "CONFIG") or DEFAULT_PATH)


def load_settings(path: Path, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read and validate the settings, or raise ConfigError with one line naming key and fix."""
    data = _read_toml(path)
    _refuse_secrets_in_file(data, path)
    data["base_dir"] = path.resolve().parent
    with _secret_files_in_environment(environ):
        try:
            return Settings(**data)
        except ValidationError as error:
            raise ConfigError(_first_problem(error, path, environ)) from None
        except SettingsError as error:  # an environment value that should be JSON is not
            raise ConfigError(_unreadable_environment(error)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{path}: not valid TOML ({error}); fix the syntax at that line"
        ) from None
    except ValueError as error:  # tomllib refuses some values itself (e.g. a 5000-digit number)
        raise ConfigError(f"{path}: not valid TOML ({error})") from None


def _read_text(path: Path) -> str:
    """The file's text; Notepad's UTF-8 byte order mark is accepted, other encodings are not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such settings file; pass --config PATH or set SYNDICATOR_CONFIG"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{path}: is a folder; pass the settings file itself, e.g. --config {path / DEFAULT_PATH}"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror}); check the path") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        line = raw.count(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8-sig")) + 1  # valid up to there
        raise ConfigError(
            f"{path}: not UTF-8 (line {line}, column {column}, byte {error.start}: "
            f"0x{raw[error.start]:02x}); save it as UTF-8"
        ) from None


def _refuse_secrets_in_file(data: Mapping[str, Any], path: Path) -> None:
    alerts = data.get("alerts")
    if isinstance(alerts, Mapping) and "smtp_password" in alerts:
        raise ConfigError(
            f"{path}: alerts.smtp_password is a secret and must not be in the settings file; "
            f"remove it and set {ENV_PREFIX}ALERTS__SMTP_PASSWORD (or ..._FILE)"
        )
    channels = data.get("channels")
    for name, table in (channels if isinstance(channels, Mapping) else {}).items():
        for key in SECRET_KEYS & set(table if isinstance(table, Mapping) else ()):
            env = f"{ENV_PREFIX}CHANNELS__{name.upper()}__{key.upper()}"
            raise ConfigError(
                f"{path}: channels.{name}.{key} is a secret and must not be in the settings file; "
                f"remove it and set {env} (or {env}_FILE pointing to a mode-0600 file)"
            )


class _secret_files_in_environment:
    """While settings load, SYNDICATOR_X_FILE=path stands in for SYNDICATOR_X=<file contents>."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.files = {
            name: value
            for name, value in environ.items()
            if name.startswith(ENV_PREFIX) and name.endswith("_FILE")
        }
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        for name, file_name in self.files.items():
            target = name.removesuffix("_FILE")
            secret = read_secret_file(Path(file_name), name)
            self.saved.setdefault(name, os.environ.pop(name, None))
            if target not in os.environ:
                self.saved[target] = None
                os.environ[target] = secret

    def __exit__(self, *exc: object) -> None:
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def read_secret_file(path: Path, variable: str) -> str:
    """A secret file must be private to its owner (mode 0600 or stricter)."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"{variable}: {path} is readable by others; run `chmod 600 {path}`")
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"{variable}: cannot read {path} ({error.strerror}); check the path"
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{variable}: {path} is not UTF-8 (byte {error.start}); save it as UTF-8"
        ) from None


# pydantic's error types for a value of the wrong TOML type, and what to write instead.
_EXPECTED = {
    "list_type": 'a list, e.g. ["a", "b"]',
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "string_type": "text in quotes",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _first_problem(error: ValidationError, path: Path, environ: Mapping[str, str]) -> str:
    """'<file>: <key path>: <what is wrong and the fix>' for the first problem, on one line."""
    problem = error.errors()[0]
    key = _key_path(problem["loc"])
    message = problem["msg"].removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        message = "unknown setting; check the spelling against README.md's configuration reference"
    elif problem["type"] == "missing":
        message = "required; add it"
    elif problem["type"] in _EXPECTED:
        message = f"expected {_EXPECTED[problem['type']]}, not {_toml_type(problem['input'])}"
    variable = ENV_PREFIX + "__".join(str(part) for part in problem["loc"]).upper()
    source = f" (from {variable})" if problem["loc"] and variable in environ else ""
    text = f"{path}: {key}{source}: {message}" if key else f"{path}: {message}"
    return " ".join(text.splitlines())  # one line, whatever the value held


def _key_path(loc: tuple[int | str, ...]) -> str:
    """('feeds', 2, 'channels') -> 'feeds[2].channels', the way the settings file reads."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _toml_type(value: object) -> str:
    for kind, name in (
        (bool, "true/false"),
        (str, "text"),
        (int | float, "a number"),
        (list, "a list"),
        (Mapping, "a table"),
    ):
        if isinstance(value, kind):
            return name
    return "a date" if hasattr(value, "isoformat") else type(value).__name__


def _unreadable_environment(error: SettingsError) -> str:
    field = re.search(r'field "([^"]+)"', str(error))
    variable = ENV_PREFIX + (field[1].upper() if field else "...")
    return (
        f"{variable}: not valid JSON; a table or list set from the environment is written as "
        'JSON, e.g. {"workers": 4} or ["sandbox"]'
    )
