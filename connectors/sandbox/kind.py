"""The sandbox as the core sees it: rendered and limited as on Facebook, so a rehearsal shows
what a Page would get; its connector writes files."""

from __future__ import annotations

from datetime import timedelta

from connectors.base import Connector, Wiring
from connectors.facebook.kind import TEXT_MAX
from connectors.rendering import MessageKind
from connectors.sandbox.settings import SandboxSettings
from connectors.settings import ChannelSettings, settings_as


class SandboxKind(MessageKind):
    """Posts become files in a folder: no account, no token."""

    type = "sandbox"
    settings_model = SandboxSettings
    text_max = TEXT_MAX
    token_lifetime: timedelta | None = None

    def build(self, settings: ChannelSettings, wiring: Wiring) -> Connector:
        from connectors.sandbox.client import SandboxConnector

        folder = settings_as(SandboxSettings, settings).folder
        return SandboxConnector(wiring.resolve_path(folder), wiring.preview_page)


KIND = SandboxKind()
