"""`[channels.NAME]` with `type = "zalo"`: one Zalo Official Account."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from connectors.settings import ApiUrl, ChannelSettings, Digits


class ZaloSettings(ChannelSettings):
    """An OA; its app secret and first refresh token come only from the environment or a 0600
    file (the refresh token seeds the database once, which keeps the rotating pair after)."""

    type: Literal["zalo"] = "zalo"
    app_id: Digits = ""
    api_url: ApiUrl = "https://openapi.zalo.me"
    oauth_url: ApiUrl = "https://oauth.zaloapp.com"
    broadcast: bool = False
    app_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
