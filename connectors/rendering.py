"""A post as rendered for one channel, and what a kind's rendering fix-up gets to make it.

syndicator/posts/render.py runs the operator's template and hands its output to the channel's
kind (ChannelKind.shape), which fits it to the platform. The text helpers a fix-up needs belong
to the core (NFC, whitespace, HTML): they are passed in as TextTools, since connectors/ imports
nothing of syndicator/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RenderInput:
    """What a template may show of one item and its feed (clean NFC text, sanitized HTML)."""

    title: str
    summary: str
    content_html: str
    url: str | None  # the article's link
    image: str | None
    published: datetime | None
    categories: tuple[str, ...]
    author: str | None
    feed_id: str
    feed_name: str
    agency: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """One channel's post as rendered. On a template error, what the template writes (the text;
    Zalo's description) is empty and `error` says why; the parts built in code (link, cover,
    Zalo's title, author and body) are kept, for a text an editor writes by hand."""

    channel_type: str  # the channel's kind (a registry type)
    text: str  # the message; for an article platform (Zalo), the body as plain text
    link: str | None  # the article's link (Facebook: the post's link)
    title: str = ""  # zalo
    author: str = ""  # zalo
    description: str = ""  # zalo
    cover: str | None = None  # zalo: item image or default_image; facebook: the item's image
    body: tuple[dict[str, str], ...] = ()  # zalo body blocks
    error: str | None = None  # "templates/zalo.j2 line 7: 'x' is undefined"
    flags: tuple[str, ...] = ()  # "template_error", "truncated", "no_image", "tagged"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the database."""
        return asdict(self) | {"body": [dict(b) for b in self.body], "flags": list(self.flags)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rendered:
        """The value `to_json` stored; keys it lacks take their defaults, unknown keys are ignored."""
        values: dict[str, Any] = {"text": "", "link": None}
        values |= {f.name: data[f.name] for f in fields(cls) if f.name in data}
        values["body"] = tuple(dict(block) for block in values.get("body", ()))
        values["flags"] = tuple(values.get("flags", ()))
        return cls(**values)


class TextTools(Protocol):
    """The core's text helpers a rendering fix-up uses (syndicator/posts/render.py has them)."""

    def fit(self, text: str, limit: int, flags: list[str]) -> str:
        """`text` cut at a word to `limit` characters; appends "truncated" to `flags` if cut."""
        ...

    def tidy(self, text: str, *, keep_newlines: bool = False) -> str:
        """NFC, no invisible characters, whitespace collapsed."""
        ...

    def plain_text(self, text: str) -> str:
        """Template output tidied line by line, at most one blank line in a row."""
        ...

    def html_to_text(self, markup: str) -> str:
        """The visible text of an HTML fragment."""
        ...

    def sanitize_html(self, markup: str, base: str | None) -> str:
        """Safe HTML: allowed tags only, absolute URLs."""
        ...

    def web_url(self, url: str | None) -> str | None:
        """`url` if it is an http(s) address, else None."""
        ...


def message_post(
    channel_type: str, item: RenderInput, output: str, limit: int, tools: TextTools
) -> Rendered:
    """A post that is one message (Facebook, the sandbox): the template's output tidied and
    fitted to `limit`, with the article's link and picture."""
    flags: list[str] = []
    text = tools.fit(tools.plain_text(output), limit, flags)
    return Rendered(
        channel_type, text, tools.web_url(item.url), cover=tools.web_url(item.image),
        flags=tuple(flags),
    )  # fmt: skip


class MessageKind:
    """What the platforms whose post is one message with the article's link (Facebook, the
    sandbox) share: rendering fitted to their text limit, an editor's text as the message, and
    nothing to preview beyond text and link. A subclass names its type, limits and builder."""

    type: str
    text_max: int  # NFC characters

    @property
    def limits(self) -> Mapping[str, int | None]:
        return {"text": self.text_max}

    def shape(
        self, item: RenderInput, output: str, default_image: str | None, tools: TextTools
    ) -> Rendered:
        return message_post(self.type, item, output, self.text_max, tools)

    def with_text(self, rendered: Rendered, text: str) -> Rendered:
        return replace(rendered, text=text)

    def preview(self, rendered: Rendered) -> tuple[tuple[str, str], ...]:
        return ()  # one message: its text and link are all there is
