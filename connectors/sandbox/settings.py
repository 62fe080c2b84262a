"""`[channels.NAME]` with `type = "sandbox"`: a folder that receives the posts."""

from __future__ import annotations

from typing import Literal

from connectors.settings import ChannelSettings, Text


class SandboxSettings(ChannelSettings):
    type: Literal["sandbox"] = "sandbox"
    folder: Text = "var/outbox"  # relative to the settings file's folder
