"""The shape of settings.toml: one pydantic model per table, with defaults and checks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from syndicator.durations import parse_duration

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CHANNEL_TYPES = ("facebook", "zalo", "sandbox")


def check_http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{value!r} is not an http(s) URL; write the full address, e.g. https://portal.gov.vn/rss"
        )
    return value.strip()


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'{value!r} is not a known timezone; use an IANA name like "Asia/Ho_Chi_Minh"'
        ) from None
    return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(Section):
    url: str = "sqlite:///var/syndicator.db"


class PollingSettings(Section):
    interval: Duration = timedelta(minutes=10)
    workers: int = Field(default=8, ge=1, le=64)
    per_host: int = Field(default=2, ge=1, le=16)
    timeout: Duration = timedelta(seconds=20)
    connect_timeout: Duration = timedelta(seconds=10)
    max_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    backfill: int = Field(default=0, ge=0)
    max_backoff: Duration = timedelta(hours=24)
    broken_after: int = Field(default=10, ge=1)
    contact: str = ""
    parse_processes: int = Field(default=1, ge=0, le=32)
    parse_memory_mb: int = Field(default=1024, ge=0)


class FeedSettings(Section):
    id: str
    name: str
    url: str
    agency: str = ""
    category: str = ""
    interval: Duration | None = None
    review: Literal["required", "auto"] = "required"
    channels: list[str] = Field(default_factory=list)
    priority: int = 0
    enabled: bool = True
    template: str | None = None
    timezone: str | None = None
    facebook_photo: bool = False

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"{value!r} is not a slug; use lowercase letters, digits, '-' or '_'")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class ChannelSettings(Section):
    """One named account. Secrets come only from the environment or a 0600 file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["facebook", "zalo", "sandbox"]
    enabled: bool = True
    # facebook
    page_id: str = ""
    graph_url: str = "https://graph.facebook.com"
    api_version: str = "v25.0"
    page_token: SecretStr | None = None
    app_secret: SecretStr | None = None
    # zalo
    app_id: str = ""
    api_url: str = "https://openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    broadcast: bool = False
    refresh_token: SecretStr | None = None
    # sandbox
    folder: str = "var/outbox"


SECRET_KEYS = frozenset({"page_token", "app_secret", "refresh_token"})


class ReviewSettings(Section):
    watch_words: list[str] = Field(default_factory=lambda: ["mật", "tối mật", "tuyệt mật"])
    # Phrases in which a watch word is innocent ("mật ong" is honey); removed before matching.
    watch_exceptions: list[str] = Field(
        default_factory=lambda: ["mật ong", "mật độ", "mật khẩu", "mật thiết", "thân mật"]
    )
    min_body_chars: int = Field(default=80, ge=0)
    max_age_days: int = Field(default=7, ge=1)


class RenderConfig(Section):
    templates: str = "templates"  # folder of the post templates, relative to settings
    hashtags: list[str] = Field(default_factory=list)
    agency_hashtag: bool = True
    default_image: str | None = None  # cover for items without a picture (Zalo needs one)

    @field_validator("default_image")
    @classmethod
    def _image_url(cls, value: str | None) -> str | None:
        return None if not value else check_http_url(value)


class PublishingSettings(Section):
    lease: Duration = timedelta(minutes=10)  # a claim outlives any request timeout
    visibility_delay: Duration = timedelta(minutes=2)  # before "not found" is believed
    request_timeout: Duration = timedelta(seconds=30)


class DaemonSettings(Section):
    shutdown_grace: Duration = timedelta(seconds=30)  # time to finish work in flight on SIGTERM
    tick: Duration = timedelta(seconds=60)  # how often poll, publish and alerts run


class WebSettings(Section):
    enabled: bool = True
    listen: str = "127.0.0.1:8080"


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class AlertSettings(Section):
    """Where alerts go. The SMTP password comes only from SYNDICATOR_ALERTS__SMTP_PASSWORD."""

    token_days: int = Field(default=7, ge=1)  # warn this many days before a token runs out
    webhook_url: str | None = None  # POSTed one JSON object per alert
    timeout: Duration = timedelta(seconds=10)  # per webhook request and SMTP conversation
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)  # 465 = implicit TLS (SMTPS)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None  # defaults to smtp_user
    smtp_starttls: bool = True  # ignored on port 465, which is TLS from the start
    email_to: list[str] = Field(default_factory=list)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return None if not value else check_http_url(value)

    @model_validator(mode="after")
    def _email_needs_a_server(self) -> AlertSettings:
        if self.email_to and not self.smtp_host:
            raise ValueError("alerts.email_to is set but alerts.smtp_host is not; set both")
        if self.email_to and not (self.smtp_from or self.smtp_user):
            raise ValueError("alerts.email_to is set; set alerts.smtp_from (the sender address)")
        return self
