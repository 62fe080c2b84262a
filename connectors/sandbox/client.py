"""The sandbox channel: each published post becomes a JSON file and a readable HTML preview.

It is an ordinary connector (same contract as Facebook and Zalo), the default when no tokens
are configured, so a new user sees the whole flow without accounts. Publishing the same post
twice finds the first file instead of writing a second one. The HTML page is the one the
composition root draws (Wiring.preview_page: the admin page's card); built without one, the
connector writes a plain page of its own.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import structlog

from connectors.base import Health, OutgoingPost, Published, Transient

log = structlog.get_logger("connectors.sandbox")


class SandboxConnector:
    """Writes posts into `folder` as post-<id>.json and post-<id>.html."""

    def __init__(self, folder: Path, page: Callable[[OutgoingPost], str] | None = None) -> None:
        self.folder = folder
        self.page = page or _plain_page

    def publish(self, post: OutgoingPost) -> Published:
        existing = self.find_existing(post)
        if existing is not None:
            return existing
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._write(self._path(post, "html"), self._page_of(post))
            self._write(
                self._path(post, "json"), json.dumps(_jsonable(post), ensure_ascii=False, indent=2)
            )  # last: its presence means done
        except OSError as error:
            raise Transient(f"cannot write to {self.folder}: {error.strerror}") from None
        return self._published(post)

    def _page_of(self, post: OutgoingPost) -> str:
        """The card page, or the plain one when the card cannot be drawn (a template broken
        by hand, the database away): the file is a rehearsal's picture, never a reason to
        hold the post back, and a failure here would fail every attempt alike."""
        try:
            return self.page(post)
        except Exception as error:  # any failure of the drawing: logged, the plain page instead
            log.warning("sandbox.card_failed", post=post.post_id, error=repr(error))
            return _plain_page(post)

    def find_existing(self, post: OutgoingPost) -> Published | None:
        return self._published(post) if self._path(post, "json").exists() else None

    def check(self) -> Health:
        if self.folder.exists() and not os.access(self.folder, os.W_OK):
            return Health(False, f"{self.folder} is not writable; fix its permissions")
        return Health(True, f"writes posts to {self.folder}")

    def _path(self, post: OutgoingPost, suffix: str) -> Path:
        return self.folder / f"post-{post.post_id}.{suffix}"

    def _published(self, post: OutgoingPost) -> Published:
        return Published(f"sandbox-{post.post_id}", self._path(post, "html").resolve().as_uri())

    @staticmethod
    def _write(path: Path, text: str) -> None:
        # Write then rename, so a crash never leaves half a file that looks published.
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)


def _jsonable(post: OutgoingPost) -> dict[str, object]:
    data = asdict(post)
    data["claimed_at"] = post.claimed_at.isoformat() if post.claimed_at else None
    return data


def _plain_page(post: OutgoingPost) -> str:
    """A standalone page showing the post's text and link, when no card page is wired; every
    value is escaped (feed content is untrusted)."""

    def e(value: object) -> str:
        return html.escape(str(value or ""), quote=True)

    link = (
        f'<p><a href="{e(post.link)}" rel="noopener noreferrer">{e(post.link)}</a></p>'
        if post.link and post.link.startswith(("http://", "https://"))
        else ""
    )
    title = f"<h1>{e(post.title)}</h1>" if post.title else ""
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Bài {post.post_id}</title></head><body>{title}"
        f'<pre style="white-space:pre-wrap">{e(post.text)}</pre>{link}</body></html>'
    )
