"""Building blocks of settings tables: the base every table and every channel kind's model
extends, and the checked field types both the core and the kinds use.

They live here, not in syndicator/, because a kind's settings model is part of its package and
connectors/ imports nothing of syndicator/; syndicator/settings_models.py imports them from here.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, TypeVar, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    SecretStr,
    ValidationInfo,
    field_validator,
)


def _digits_as_text(value: object) -> object:
    # An id written as a TOML number (page_id = 1234567890) means the same digits.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _only_digits(value: str) -> str:
    if not (value.isascii() and value.isdigit()) and value != "":
        raise ValueError(f'{value!r} is not an id; write the digits only, e.g. "1234567890"')
    return value


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def check_http_url(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError:
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(char.isspace() for char in parts.hostname)
        or not value.strip().isprintable()  # a line break would split the HTTP request line
    ):
        raise ValueError(
            f"{value!r} is not an http(s) URL; write the full address, e.g. https://portal.gov.vn/rss"
        )
    return value.strip()


def check_api_url(value: str) -> str:
    """A platform API's base URL: https, for tokens and secrets travel in every request; plain
    http only to a loopback host (tests, a local proxy)."""
    parts = urlsplit(value)
    if parts.scheme == "https" or _is_loopback(parts.hostname or ""):
        return value
    raise ValueError(
        f"{value!r} must be an https URL (tokens and secrets travel in every request); "
        "plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost)"
    )


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


Text = Annotated[str, AfterValidator(not_blank)]  # required and not blank
Digits = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_only_digits)]
HttpUrl = Annotated[str, AfterValidator(check_http_url)]
ApiUrl = Annotated[HttpUrl, AfterValidator(check_api_url)]


class Section(BaseModel):
    """A table of settings.toml: unknown keys refused, values frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_for_a_number(cls, value: object, info: ValidationInfo) -> object:
        # pydantic reads true as 1; `workers = true` is a mistake, not one worker.
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and field.annotation is int:
            raise ValueError("expected a whole number, not true or false")
        return value


class ChannelSettings(Section):
    """One named account, `[channels.NAME]`: what every kind has. A kind's model extends it with
    its own keys and narrows `type` to its name. Secrets (SecretStr fields) come only from the
    environment or a 0600 file."""

    type: str
    enabled: bool = True
    tag_links: bool = True  # reach.tag_links for this channel's posts (issue #14)


Model = TypeVar("Model", bound=ChannelSettings)


def settings_as(model: type[Model], settings: ChannelSettings) -> Model:
    """`settings` as the kind's own model (the registry hands each kind only its own)."""
    if not isinstance(settings, model):
        raise TypeError(f"{model.__name__} expected, not {type(settings).__name__}")
    return settings


def secret_keys(model: type[BaseModel]) -> frozenset[str]:
    """The model's secret keys: those the settings file must not hold."""
    return frozenset(
        name
        for name, field in model.model_fields.items()
        if field.annotation is SecretStr or SecretStr in get_args(field.annotation)
    )
