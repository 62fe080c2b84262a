"""README.md documents every setting and every feed error reason the code can produce."""

from __future__ import annotations

from pydantic import BaseModel

from connectors.registry import KINDS
from syndicator.config import Settings
from syndicator.posts.pacing import PacingSettings
from syndicator.settings_models import FeedSettings
from tests.helpers.docs import README, error_reasons

NOT_SETTINGS = {"base_dir"}


def setting_keys() -> list[str]:
    keys = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if name in NOT_SETTINGS or name in ("feeds", "channels", "pacing"):
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += [f"{name}.{sub}" for sub in annotation.model_fields]
        else:
            keys.append(name)
    keys += [f"feeds[].{sub}" for sub in FeedSettings.model_fields]
    for kind in KINDS.values():  # every kind's keys (`type` and `enabled` are everyone's)
        keys += [f"channels.<name>.{sub}" for sub in kind.settings_model.model_fields]
    keys += [f"pacing.<channel>.{sub}" for sub in PacingSettings.model_fields]
    return keys


def test_every_setting_is_documented() -> None:
    """Each key of settings.toml has a row in README.md's configuration reference."""
    missing = [key for key in setting_keys() if f"| `{key}` |" not in README]
    assert missing == []


def test_every_feed_error_reason_is_documented() -> None:
    """Each error reason the fetcher, parser and poller can give has a row in README.md."""
    reasons = error_reasons()
    assert {"html_page", "store_failed", "timeout", "dns_failed", "hostile_xml"} <= reasons
    missing = [reason for reason in sorted(reasons) if f"| `{reason}`" not in README]
    assert missing == []
