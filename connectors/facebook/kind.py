"""Facebook as the core sees it: settings, the message limit, rendering, preview, building."""

from __future__ import annotations

from datetime import timedelta

from connectors.base import ChannelUnavailable, Connector, Wiring
from connectors.facebook.settings import FacebookSettings
from connectors.rendering import MessageKind
from connectors.settings import ChannelSettings, settings_as

# Meta documents no maximum for `message`; 63,206 is a third-party figure (UNCONFIRMED, see
# research/facebook-graph.md §5). We cap at it, counting NFC code points.
TEXT_MAX = 63_206


class FacebookKind(MessageKind):
    """A Page: posts are one message with the article's link (or a photo with a caption)."""

    type = "facebook"
    settings_model = FacebookSettings
    text_max = TEXT_MAX
    token_lifetime: timedelta | None = None  # Page tokens do not rotate: they are replaced

    def build(self, settings: ChannelSettings, wiring: Wiring) -> Connector:
        channel = settings_as(FacebookSettings, settings)
        if channel.page_token is None:
            raise ChannelUnavailable(
                f"no Page token: set SYNDICATOR_CHANNELS__{wiring.channel.upper()}__PAGE_TOKEN "
                f"(or ..._PAGE_TOKEN_FILE)"
            )
        from connectors.facebook.client import FacebookConnector  # requests: only when used

        secret = channel.app_secret.get_secret_value() if channel.app_secret else None
        return FacebookConnector(
            wiring.session,
            graph_url=channel.graph_url,
            api_version=channel.api_version,
            page_id=channel.page_id,
            page_token=channel.page_token.get_secret_value(),
            app_secret=secret,
            clock=wiring.clock,
            channel=wiring.channel,
            timeout=wiring.timeout,
        )


KIND = FacebookKind()
