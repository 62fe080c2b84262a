"""The sandbox as the core sees it: rendered and limited as on Facebook, so a rehearsal shows
what a Page would get; its connector writes files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from connectors.base import Connector, Wiring
from connectors.facebook.kind import TEXT_MAX
from connectors.rendering import Rendered, RenderInput, TextTools, message_post
from connectors.sandbox.settings import SandboxSettings
from connectors.settings import ChannelSettings, settings_as


class SandboxKind:
    """Posts become files in a folder: no account, no token."""

    type = "sandbox"
    settings_model = SandboxSettings
    limits: Mapping[str, int | None] = {"text": TEXT_MAX}
    token_lifetime: timedelta | None = None

    def build(self, settings: ChannelSettings, wiring: Wiring) -> Connector:
        from connectors.sandbox.client import SandboxConnector

        folder = settings_as(SandboxSettings, settings).folder
        return SandboxConnector(wiring.resolve_path(folder))

    def shape(
        self, item: RenderInput, output: str, default_image: str | None, tools: TextTools
    ) -> Rendered:
        return message_post(self.type, item, output, TEXT_MAX, tools)

    def with_text(self, rendered: Rendered, text: str) -> Rendered:
        return replace(rendered, text=text)

    def preview(self, rendered: Rendered) -> tuple[tuple[str, str], ...]:
        return ()  # one message: its text and link are all there is


KIND = SandboxKind()
