"""The registry: every channel kind is complete, so adding a platform is one folder and one line."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from connectors.base import (
    ChannelKind,
    ChannelUnavailable,
    Connector,
    RefreshesTokens,
    SettingsProblem,
    Wiring,
)
from connectors.facebook.settings import FacebookSettings
from connectors.registry import KINDS, TYPES, UnknownKind, kind_of, shortest_token_lifetime
from connectors.rendering import Rendered, RenderInput
from connectors.settings import ChannelSettings, secret_keys, settings_as
from connectors.zalo.settings import ZaloSettings
from syndicator.posts.render import TEXT_TOOLS
from tests.helpers.clock import FakeClock
from tests.helpers.fake_zalo import InMemoryStepStore, InMemoryTokenStore

ITEM = RenderInput(
    title="Tỉnh triển khai chuyển đổi số năm 2027 tại các sở, ban, ngành",
    summary="Ủy ban nhân dân tỉnh thông báo kế hoạch triển khai chuyển đổi số năm 2027.",
    content_html="<p>Ủy ban nhân dân tỉnh thông báo kế hoạch chuyển đổi số.</p>",
    url="https://skhcn.quangtri.gov.vn/tin-tuc/chuyen-doi-so.html",
    image="https://skhcn.quangtri.gov.vn/anh/chuyen-doi-so.jpg",
    published=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
    categories=("Tin tức",),
    author=None,
    feed_id="skhcn",
    feed_name="Sở Khoa học và Công nghệ",
    agency="Sở KH&CN",
)
KIND_PARAMS = [pytest.param(kind, id=type_) for type_, kind in KINDS.items()]


def wiring(tmp_path: Path, channel: str) -> Wiring:
    """What the composition root would pass, with in-memory stores and a fake clock."""
    return Wiring(
        channel=channel,
        session=requests.Session(),  # building sends nothing
        clock=FakeClock().now,
        timeout=5.0,
        resolve_path=lambda value: tmp_path / value,
        token_store=lambda make_pair: InMemoryTokenStore(),
        step_store=InMemoryStepStore,
    )


def with_secrets(kind: ChannelKind) -> ChannelSettings:
    """The kind's default settings with every secret set (as the environment would set it)."""
    secrets = {key: SecretStr(f"secret-{key}") for key in secret_keys(kind.settings_model)}
    return kind.settings_model.model_validate({"type": kind.type, **secrets})


def test_the_known_types_are_registered_in_order() -> None:
    """facebook, zalo and sandbox have kinds; settings errors list them in this order."""
    assert TYPES == ("facebook", "zalo", "sandbox")
    assert all(kind_of(type_) is KINDS[type_] for type_ in TYPES)


def test_an_unknown_type_is_a_value_error() -> None:
    """A type no kind has is refused by name (render and check_text rely on a ValueError)."""
    with pytest.raises(UnknownKind, match="unknown channel type 'telegram'"):
        kind_of("telegram")
    assert issubclass(UnknownKind, ValueError)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_each_kind_has_a_settings_model_of_its_own_type(kind: ChannelKind) -> None:
    """The model extends ChannelSettings, defaults `type` to the kind and refuses another."""
    model = kind.settings_model
    assert issubclass(model, ChannelSettings)
    assert model().type == kind.type and model().enabled is True
    other = next(type_ for type_ in TYPES if type_ != kind.type)
    with pytest.raises(ValueError, match=kind.type):
        model.model_validate({"type": other})


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_each_kind_limits_fields_of_a_rendered_post(kind: ChannelKind) -> None:
    """Limits name "text" and other fields of Rendered, each a positive length or None."""
    assert "text" in kind.limits
    assert set(kind.limits) <= {field.name for field in fields(Rendered)}
    assert all(limit is None or limit > 0 for limit in kind.limits.values())


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_each_kind_builds_a_connector_once_its_secrets_are_set(
    kind: ChannelKind, tmp_path: Path
) -> None:
    """With its secrets (none for some kinds), a kind builds a connector keeping the contract."""
    connector: Connector = kind.build(with_secrets(kind), wiring(tmp_path, "province"))
    assert all(callable(getattr(connector, name)) for name in ("publish", "find_existing", "check"))
    # Only a kind whose stored tokens expire has connectors that refresh them.
    assert isinstance(connector, RefreshesTokens) == (kind.token_lifetime is not None)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_defaults_build_unless_a_secret_is_needed(kind: ChannelKind, tmp_path: Path) -> None:
    """From its defaults a kind without secrets builds; one with secrets refuses, naming the
    environment variable to set."""
    settings, wired = kind.settings_model(), wiring(tmp_path, "province")
    if not secret_keys(kind.settings_model):
        assert callable(kind.build(settings, wired).publish)
        return
    needed = (ChannelUnavailable, SettingsProblem)
    with pytest.raises(needed, match="SYNDICATOR_CHANNELS__PROVINCE__"):
        kind.build(settings, wired)


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_each_kind_shapes_a_post_within_its_limits(kind: ChannelKind) -> None:
    """A long template output, title and author become a post that fits every limit."""
    item = replace(ITEM, title="Tin " * 400, author="Tác giả " * 100)
    rendered = kind.shape(item, "Nội dung bài " * 9000, None, TEXT_TOOLS)
    assert rendered.channel_type == kind.type and rendered.text
    for field, limit in kind.limits.items():
        assert limit is None or len(getattr(rendered, field)) <= limit
    assert rendered.link == ITEM.url


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_each_kind_takes_an_editors_text_and_previews_its_own_fields(kind: ChannelKind) -> None:
    """An editor's text replaces the template's; the preview lists the kind's other fields
    (each limited one among them), labelled in Vietnamese."""
    rendered = kind.shape(ITEM, "Tin mới từ Sở KH&CN", "https://a.gov.vn/bia.jpg", TEXT_TOOLS)
    edited = kind.with_text(rendered, "Bản tin do biên tập viên viết")
    assert edited.text == "Bản tin do biên tập viên viết" and edited.link == ITEM.url
    preview = dict(kind.preview(edited))
    assert all(label and label[0].isupper() for label in preview)
    shown = set(preview.values())
    assert all(getattr(edited, field) in shown for field in kind.limits if field != "text")


@pytest.mark.parametrize("kind", KIND_PARAMS)
def test_rendered_posts_survive_the_database(kind: ChannelKind) -> None:
    """What a kind renders is stored as JSON and read back unchanged."""
    rendered = kind.shape(ITEM, "Tin mới", None, TEXT_TOOLS)
    assert Rendered.from_json(rendered.to_json()) == rendered


def test_alerts_assume_the_shortest_stored_token_life() -> None:
    """Zalo's refresh token lives 90 days from its last rotation; no kind's lives shorter."""
    assert shortest_token_lifetime() == timedelta(days=90)
    assert kind_of("zalo").token_lifetime == timedelta(days=90)


def test_a_kind_handed_another_kinds_settings_names_both() -> None:
    """settings_as refuses another kind's settings, naming the model it wanted and the one it got
    (a wiring mistake, caught before any request)."""
    facebook = FacebookSettings(type="facebook", page_id="104857600123456")
    assert settings_as(FacebookSettings, facebook) is facebook
    with pytest.raises(TypeError) as wrong:
        settings_as(ZaloSettings, facebook)
    assert str(wrong.value) == "ZaloSettings expected, not FacebookSettings"
