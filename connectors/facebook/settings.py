"""`[channels.NAME]` with `type = "facebook"`: one Facebook Page."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, SecretStr

from connectors.settings import ApiUrl, ChannelSettings, Digits


def _api_version(value: str) -> str:
    if not re.fullmatch(r"v[0-9]+\.[0-9]+", value):
        raise ValueError(f'{value!r} is not a Graph API version; write it like "v25.0"')
    return value


class FacebookSettings(ChannelSettings):
    """A Page; its token and app secret come only from the environment or a 0600 file."""

    type: Literal["facebook"] = "facebook"
    page_id: Digits = ""
    graph_url: ApiUrl = "https://graph.facebook.com"
    api_version: Annotated[str, AfterValidator(_api_version)] = "v25.0"
    page_token: SecretStr | None = None
    app_secret: SecretStr | None = None
