"""The shape of settings.toml: one pydantic model per table, with defaults and checks."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
    field_validator,
    model_validator,
)

from connectors import registry
from connectors.settings import ChannelSettings as BaseChannelSettings
from connectors.settings import Section as Section  # the base of every table, re-exported
from connectors.settings import Text, check_http_url, secret_keys
from connectors.settings import check_api_url as check_api_url  # re-exported for the tests
from syndicator.durations import format_duration, parse_duration


def at_least(low: timedelta) -> AfterValidator:
    """A duration's floor, where less would break what it times (0s timeouts, 0s intervals)."""

    def check(value: timedelta) -> timedelta:
        if value < low:
            raise ValueError(f'must be at least "{format_duration(low)}"')
        return value

    return AfterValidator(check)


def _no_blank_item(value: list[str]) -> list[str]:
    if any(not item.strip() for item in value):
        raise ValueError('holds an empty string, which would match everything; remove the ""')
    return value


SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
CHANNEL_TYPES = registry.TYPES


def check_slug(value: str) -> str:
    """A feed id or channel name: it keys database rows of at most 64 characters."""
    if not SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a slug; use lowercase letters, digits, '-' or '_' "
            "(at most 64 characters)"
        )
    return value


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ValueError(
            f'{value!r} is not a known timezone; use an IANA name like "Asia/Ho_Chi_Minh"'
        ) from None
    return value


def check_listen(value: str) -> str:
    """host:port (IPv6 as [::1]:8080), port 0-65535; 0 picks a free port."""
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    digits = port.isascii() and port.isdigit() and len(port) <= 5
    if not (sep and host and digits and int(port) <= 65535):
        raise ValueError(f'{value!r} is not host:port; write e.g. "127.0.0.1:8080"')
    return value.strip()


def check_email(value: str) -> str:
    name, at, domain = value.strip().rpartition("@")
    if not (name and at and "." in domain) or any(char.isspace() for char in value.strip()):
        raise ValueError(f"{value!r} is not an e-mail address; write e.g. it@example.gov.vn")
    return value.strip()


def check_database_url(value: str) -> str:
    from storage.engine import check_url  # SQLAlchemy is loaded only when settings are read

    check_url(value)
    return value


def check_network(value: object) -> object:
    """An address range in CIDR notation ("10.20.0.0/16") or one address ("10.20.1.5")."""
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return value
    text = value.strip() if isinstance(value, str) else ""
    try:
        return ipaddress.ip_network(text)
    except ValueError:
        pass
    try:
        meant = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(
            f'{value!r} is not an address range; write CIDR like "10.20.0.0/16" '
            f'or one address like "10.20.1.5"'
        ) from None
    raise ValueError(f'{value!r} has bits set past the prefix; write "{meant}" for that range')


# Every duration is 0 to 10 years (parse_duration refuses the rest).
Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
PollInterval = Annotated[Duration, at_least(timedelta(minutes=1))]  # politeness to portals
Timeout = Annotated[Duration, at_least(timedelta(seconds=1))]
Tick = Annotated[Duration, at_least(timedelta(seconds=1))]  # the scheduler counts whole seconds
Words = Annotated[list[str], AfterValidator(_no_blank_item)]
DAY = timedelta(days=1)


def _whole_days(value: timedelta) -> timedelta:
    # The report counts days: a threshold of "36h" would show as one day and act as one and a half.
    if value % DAY:
        raise ValueError('must be whole days, e.g. "7d"')
    return value


# How long a portal may publish nothing before the report calls it stale (issue #12).
StaleAfter = Annotated[Duration, at_least(DAY), AfterValidator(_whole_days)]
Email = Annotated[str, AfterValidator(check_email)]
AddressRange = Annotated[
    ipaddress.IPv4Network | ipaddress.IPv6Network, BeforeValidator(check_network)
]


class DatabaseSettings(Section):
    url: Annotated[str, AfterValidator(check_database_url)] = "sqlite:///var/syndicator.db"


class PollingSettings(Section):
    interval: PollInterval = timedelta(minutes=10)
    workers: int = Field(default=8, ge=1, le=64)
    per_host: int = Field(default=2, ge=1, le=16)
    timeout: Timeout = timedelta(seconds=20)
    connect_timeout: Timeout = timedelta(seconds=10)
    max_bytes: int = Field(default=15 * 1024 * 1024, ge=1024, le=1024**3)
    backfill: int = Field(default=0, ge=0, le=1000)
    max_backoff: Duration = timedelta(hours=24)
    broken_after: int = Field(default=10, ge=1, le=10_000)
    contact: str = ""
    parse_processes: int = Field(default=1, ge=0, le=32)
    parse_memory_mb: int = Field(default=1024, ge=0, le=1024**2)  # up to 1 TiB
    parse_timeout: Timeout = timedelta(seconds=30)  # CPU and wall-clock time of one feed's parse
    # Non-public ranges feeds may be fetched from (an intranet's portals); public ones always may.
    allow_networks: list[AddressRange] = Field(default_factory=list)


def check_css_selector(value: str) -> str:
    """A CSS selector the listing reader (selectolax's Lexbor engine) can run."""
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    try:
        LexborHTMLParser("<p></p>").css(value)
    except SelectolaxError:
        raise ValueError(
            f"{value!r} is not a CSS selector the listing reader understands"
        ) from None
    return value


CssSelector = Annotated[str, AfterValidator(check_css_selector)]


def check_date_format(value: str) -> str:
    """A strptime format that writes a date back (so it holds at least one directive)."""
    from datetime import datetime

    try:
        written = datetime(2026, 12, 7, 8, 30).strftime(value)
        datetime.strptime(written, value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a date format ({error})") from None
    if written == value:
        raise ValueError(f'{value!r} has no directive; write it like "%d/%m/%Y %H:%M"')
    return value


class ListingSelectors(Section):
    """`[feeds.selectors]` of a `type = "html"` source (issue #13): CSS selectors that read a
    portal's news listing page. `item` matches one article each; the others are looked for
    inside an item (the first match counts)."""

    item: CssSelector  # one element per article on the listing
    link: CssSelector  # the article's <a href>; "a" is the usual answer
    title: CssSelector | None = None  # its text; the link's text when unset
    date: CssSelector | None = None  # its text (or its datetime / content / title attribute)
    date_format: Annotated[str, AfterValidator(check_date_format)] | None = None  # strptime
    image: CssSelector | None = None  # an <img>; else the article page's og:image
    summary: CssSelector | None = None  # its text; else the article page's og:description


class FeedSettings(Section):
    id: str
    name: Text
    url: str
    # rss: an RSS, Atom or JSON feed; html: a news listing page read with `selectors`.
    type: Literal["rss", "html"] = "rss"
    selectors: ListingSelectors | None = None
    agency: str = ""
    category: str = ""
    interval: PollInterval | None = None
    review: Literal["required", "auto"] = "required"
    channels: list[str] = Field(default_factory=list)
    priority: int = Field(default=0, ge=-1000, le=1000)
    enabled: bool = True
    template: str | None = None
    timezone: str | None = None
    facebook_photo: bool = False
    stale_after: StaleAfter | None = None  # report.stale_after when unset
    tag_links: bool = True  # reach.tag_links for this feed's posts (issue #14)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return check_slug(value)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("channels")
    @classmethod
    def _each_channel_once(cls, value: list[str]) -> list[str]:
        twice = sorted({name for name in value if value.count(name) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice; list each channel once")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @model_validator(mode="after")
    def _selectors_for_html(self) -> FeedSettings:
        if self.type == "html" and self.selectors is None:
            raise ValueError(
                'type = "html" reads a listing page with [feeds.selectors]: give at least '
                "item and link (`syndicator feeds discover URL` proposes them)"
            )
        if self.type == "rss" and self.selectors is not None:
            raise ValueError('selectors are read only with type = "html"; set it or remove them')
        return self


def _as_kind(value: object, validate: ValidatorFunctionWrapHandler) -> object:
    """A channel's table validated by its kind's model, chosen by its `type`."""
    if isinstance(value, BaseChannelSettings):
        return value
    type_ = value.get("type") if isinstance(value, Mapping) else None
    if not isinstance(type_, str) or type_ not in registry.KINDS:
        _CHANNEL_TYPE.validate_python(value)  # says what is wrong with the table or its type
        return validate(value)
    return registry.KINDS[type_].settings_model.model_validate(value)


# Only `type` checked, against the registry: an unknown type is named with the known ones.
_CHANNEL_TYPE = TypeAdapter(
    create_model(
        "ChannelSettings",
        __config__=ConfigDict(extra="allow"),
        type=(cast(Any, Literal)[registry.TYPES], ...),
    )
)
# One named account, `[channels.NAME]`: its kind's model (connectors/<type>/settings.py).
ChannelSettings = Annotated[BaseChannelSettings, WrapValidator(_as_kind)]
SECRET_KEYS = frozenset().union(*(secret_keys(k.settings_model) for k in registry.KINDS.values()))


class ReviewSettings(Section):
    watch_words: Words = Field(default_factory=lambda: ["mật", "tối mật", "tuyệt mật"])
    # Phrases in which a watch word is innocent ("mật ong" is honey); removed before matching.
    watch_exceptions: Words = Field(
        default_factory=lambda: ["mật ong", "mật độ", "mật khẩu", "mật thiết", "thân mật"]
    )
    min_body_chars: int = Field(default=80, ge=0, le=100_000)
    max_age_days: int = Field(default=7, ge=1, le=3650)


class RenderConfig(Section):
    templates: Text = "templates"  # folder of the post templates, relative to settings
    hashtags: list[str] = Field(default_factory=list)
    agency_hashtag: bool = True
    default_image: str | None = None  # cover for items without a picture (Zalo needs one)

    @field_validator("default_image")
    @classmethod
    def _image_url(cls, value: str | None) -> str | None:
        return None if not value else check_http_url(value)


# One publish attempt, as the publisher runs it (syndicator/publish/publisher.py): up to IN_RUN_TRIES
# tries for a plain transient error, IN_RUN_WAITS between them, each try up to REQUESTS_PER_TRY
# requests (Zalo: create, verify, the article's link, one repeat after a refused token;
# Facebook: the post, and a lookup after a 506), plus a token refresh and a wait for another
# worker's, plus one database busy wait to record the outcome.
IN_RUN_TRIES = 3
REQUESTS_PER_TRY = 4
IN_RUN_WAITS = timedelta(seconds=2 + 4)
DATABASE_WAIT = timedelta(seconds=10)  # storage.engine.SQLITE_BUSY_TIMEOUT_MS
Lease = Annotated[Duration, at_least(timedelta(seconds=30))]


class PublishingSettings(Section):
    lease: Lease = timedelta(minutes=10)  # outlives a whole attempt; renewed while one runs
    visibility_delay: Duration = timedelta(minutes=2)  # before "not found" is believed
    request_timeout: Timeout = timedelta(seconds=30)
    # searches for an unknown outcome that keep failing this long go to a person
    reconcile_give_up: Annotated[Duration, at_least(timedelta(minutes=5))] = timedelta(hours=6)

    def try_budget(self) -> timedelta:
        """The longest one try of an attempt may take."""
        return self.request_timeout * REQUESTS_PER_TRY

    def attempt_budget(self) -> timedelta:
        """The longest one whole attempt may take (see the constants above)."""
        refresh = self.request_timeout * 2
        return self.try_budget() * IN_RUN_TRIES + refresh + IN_RUN_WAITS + DATABASE_WAIT

    @model_validator(mode="after")
    def _lease_outlives_an_attempt(self) -> PublishingSettings:
        # A lease that ends while its attempt still runs lets a second worker claim the post.
        budget = self.attempt_budget()
        if self.lease <= budget:
            raise ValueError(
                f"publishing.lease ({format_duration(self.lease)}) must be longer than one "
                f"whole attempt ({format_duration(budget)} with publishing.request_timeout = "
                f"{format_duration(self.request_timeout)}: {IN_RUN_TRIES} tries of up to "
                f"{REQUESTS_PER_TRY} requests, a token refresh and the waits); raise "
                "publishing.lease or lower publishing.request_timeout"
            )
        return self


class DaemonSettings(Section):
    shutdown_grace: Duration = timedelta(seconds=30)  # time to finish work in flight on SIGTERM
    tick: Tick = timedelta(seconds=60)  # how often poll, publish and alerts run


class WebSettings(Section):
    enabled: bool = True
    listen: Annotated[str, AfterValidator(check_listen)] = "127.0.0.1:8080"
    request_timeout: Timeout = timedelta(seconds=10)  # a connection's whole life, slow or not
    max_connections: int = Field(default=32, ge=1, le=1024)  # threads serving health, metrics


class LoggingSettings(Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class AlertSettings(Section):
    """Where alerts go. The SMTP password comes only from SYNDICATOR_ALERTS__SMTP_PASSWORD."""

    token_days: int = Field(default=7, ge=1, le=365)  # warn this many days before a token runs out
    webhook_url: str | None = None  # POSTed one JSON object per alert
    timeout: Timeout = timedelta(seconds=10)  # per webhook request and SMTP conversation
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)  # 465 = implicit TLS (SMTPS)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: Email | None = None  # defaults to smtp_user
    smtp_starttls: bool = True  # ignored on port 465, which is TLS from the start
    email_to: list[Email] = Field(default_factory=list)

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
