"""The sandbox connector writes the page the composition root draws (Wiring.preview_page), then
the JSON whose presence means done; without a page drawer it writes a plain escaped page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import requests
from structlog.testing import capture_logs

from connectors.base import OutgoingPost, Wiring
from connectors.registry import kind_of
from connectors.sandbox.client import SandboxConnector
from connectors.sandbox.settings import SandboxSettings
from tests.helpers.clock import FakeClock
from tests.helpers.fake_zalo import InMemoryStepStore, InMemoryTokenStore

POST = OutgoingPost(
    post_id=2027,
    text="Sở KH&CN thông báo lịch tiếp công dân tháng 11/2027.",
    link="https://skhcn.quangtri.gov.vn/tin-tuc/lich-tiep-cong-dan.html",
    cover="https://skhcn.quangtri.gov.vn/anh/lich.jpg",
)


def wiring(tmp_path: Path, page: Callable[[OutgoingPost], str] | None = None) -> Wiring:
    return Wiring(
        channel="sandbox",
        session=requests.Session(),  # the sandbox sends nothing
        clock=FakeClock().now,
        timeout=5.0,
        resolve_path=lambda value: tmp_path / value,
        token_store=lambda make_pair: InMemoryTokenStore(),
        step_store=InMemoryStepStore,
        preview_page=page,
    )


def drawn(post: OutgoingPost) -> str:
    return f"<!doctype html><p>thẻ bài {post.post_id}</p>"


def test_the_kind_hands_the_wired_page_to_the_connector(tmp_path: Path) -> None:
    """The HTML file is what Wiring.preview_page drew; the JSON follows."""
    connector = kind_of("sandbox").build(SandboxSettings(folder="outbox"), wiring(tmp_path, drawn))
    published = connector.publish(POST)
    outbox = tmp_path / "outbox"
    assert (outbox / "post-2027.html").read_text(encoding="utf-8") == drawn(POST)
    assert (outbox / "post-2027.json").exists()
    assert published.url == (outbox / "post-2027.html").resolve().as_uri()


def test_a_card_that_cannot_be_drawn_gives_the_plain_page_and_the_post_goes_out(
    tmp_path: Path,
) -> None:
    """A broken card (a template edited by hand, the database away) must not hold the post
    back forever: the plain escaped page is written instead, the failure logged, and the
    JSON says the post is done."""

    def broken(post: OutgoingPost) -> str:
        raise RuntimeError("template missing")

    connector = SandboxConnector(tmp_path / "outbox", broken)
    with capture_logs() as logs:
        published = connector.publish(POST)
    assert connector.find_existing(POST) == published
    page = (tmp_path / "outbox" / "post-2027.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "Content-Security-Policy" in page
    (failed,) = [line for line in logs if line["event"] == "sandbox.card_failed"]
    assert failed["post"] == POST.post_id and "template missing" in failed["error"]


def test_without_a_page_drawer_the_page_is_plain_and_escaped(tmp_path: Path) -> None:
    """Built without one (a test's Wiring), the file is still a page, feed text escaped."""
    hostile = OutgoingPost(post_id=8, text="<script>alert(1)</script>", link="javascript:x")
    connector = kind_of("sandbox").build(SandboxSettings(folder="outbox"), wiring(tmp_path))
    connector.publish(hostile)
    page = (tmp_path / "outbox" / "post-8.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page and "javascript:" not in page
