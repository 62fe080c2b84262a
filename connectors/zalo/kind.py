"""Zalo as the core sees it: settings, the article's limits, rendering, preview, building."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from connectors.base import Connector, SettingsProblem, Wiring
from connectors.rendering import Rendered, RenderInput, TextTools
from connectors.settings import ChannelSettings, settings_as
from connectors.zalo import render
from connectors.zalo.limits import LIMITS, REFRESH_TOKEN_LIFETIME
from connectors.zalo.settings import ZaloSettings


class ZaloKind:
    """An OA: posts are articles (title, author, description, cover, body); tokens rotate."""

    type = "zalo"
    settings_model = ZaloSettings
    limits: Mapping[str, int | None] = {"text": None, **LIMITS}  # the body: no known limit
    token_lifetime: timedelta | None = REFRESH_TOKEN_LIFETIME

    def build(self, settings: ChannelSettings, wiring: Wiring) -> Connector:
        channel = settings_as(ZaloSettings, settings)
        if channel.app_secret is None:
            raise SettingsProblem(
                f"channels.{wiring.channel}: no app secret; set "
                f"SYNDICATOR_CHANNELS__{wiring.channel.upper()}__APP_SECRET"
            )
        import structlog

        from connectors.zalo.client import ZaloConnector  # requests: only when used
        from connectors.zalo.tokens import TokenPair

        tokens = wiring.token_store(TokenPair)
        seed = channel.refresh_token
        if seed is not None and tokens.seed(TokenPair("", seed.get_secret_value(), wiring.clock())):
            structlog.get_logger("connectors.zalo").info("token.seeded", channel=wiring.channel)
        return ZaloConnector(
            wiring.session,
            api_url=channel.api_url,
            oauth_url=channel.oauth_url,
            app_id=channel.app_id,
            app_secret=channel.app_secret.get_secret_value(),
            tokens=tokens,
            steps=wiring.step_store(),
            clock=wiring.clock,
            broadcast=channel.broadcast,
            channel=wiring.channel,
            timeout=wiring.timeout,
        )

    def shape(
        self, item: RenderInput, output: str, default_image: str | None, tools: TextTools
    ) -> Rendered:
        return render.article_post(item, output, default_image, tools)

    def with_text(self, rendered: Rendered, text: str) -> Rendered:
        return replace(rendered, text=text, body=render.edited_body(text))

    def preview(self, rendered: Rendered) -> tuple[tuple[str, str], ...]:
        return render.preview(rendered)


KIND = ZaloKind()
