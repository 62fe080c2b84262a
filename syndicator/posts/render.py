"""One post per channel from the operator's Jinja2 templates, rendered in a sandbox with limits.

Templates are configuration the operator edits on the server. The sandbox keeps a mistake (a
typo, an endless loop, a huge repeat) from hanging or flooding the service. Feed values are only
ever data: never parsed as template code, and escaped wherever they go into HTML (the Zalo body).
It does not make a deliberately hostile template harmless (see templates/README.md, "Limits").
"""

from __future__ import annotations

import re
import traceback
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError
from markupsafe import Markup, escape

from syndicator.ingest.normalize.markup import html_to_text, sanitize_html
from syndicator.ingest.normalize.text import tidy, truncate_words
from syndicator.posts.hashtags import build_hashtags
from syndicator.posts.sandbox import (  # noqa: F401  (limits re-exported for the tests and docs)
    BUDGET,
    MAX_BITS,
    MAX_PRINTED,
    MAX_RANGE,
    MAX_STEPS,
    OUTPUT_CAP,
    Budget,
    OutputCapError,
    make_environment,
)

CHANNEL_TYPES = ("facebook", "zalo", "sandbox")
# The defaults, shipped inside the package (so a non-editable install has them too): a name
# missing from the operator's folder is looked up here.
SHIPPED_TEMPLATES = Path(__file__).resolve().parent / "default_templates"
# Meta documents no maximum for `message`; 63,206 is a third-party figure (UNCONFIRMED, see
# research/facebook-graph.md §5). We cap at it, counting NFC code points.
FACEBOOK_MAX = 63_206
ZALO_LIMITS = {"title": 150, "author": 50, "description": 300}  # research/zalo-oa.md §2
_FIELDS = {"text": "Nội dung", "title": "Tiêu đề", "author": "Tác giả", "description": "Mô tả"}
_BLANK_LINES = re.compile(r"\n{3,}")
_WEB_URL = re.compile(r"https?://", re.IGNORECASE)


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
class RenderSettings:
    """The operator's rendering settings."""

    hashtags: tuple[str, ...] = ()  # always added, e.g. ("#QuangNgai",)
    agency_hashtag: bool = True  # also "#SoKHCNDakLak" from the agency "Sở KH&CN Đắk Lắk"
    default_image: str | None = None  # cover when the item has none
    timezone: str = "Asia/Ho_Chi_Minh"  # for dates shown in templates


@dataclass(frozen=True, slots=True)
class Rendered:
    """One channel's post as rendered. On a template error, what the template writes (the text;
    Zalo's description) is empty and `error` says why; the parts built in code (link, cover,
    Zalo's title, author and body) are kept, for a text an editor writes by hand."""

    channel_type: str  # "facebook" | "zalo" | "sandbox"
    text: str  # facebook/sandbox: the message; zalo: the body as plain text (review screens)
    link: str | None  # the article's link (facebook: the post's link)
    title: str = ""  # zalo
    author: str = ""  # zalo
    description: str = ""  # zalo
    cover: str | None = None  # zalo: item image or default_image; facebook: the item's image
    body: tuple[dict[str, str], ...] = ()  # zalo body blocks
    error: str | None = None  # "templates/zalo.j2 line 7: 'x' is undefined"
    flags: tuple[str, ...] = ()  # "template_error", "truncated", "no_image"

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


# ---- rendering ----


def fit(text: str, limit: int, flags: list[str]) -> str:
    """`text` cut at a word boundary to `limit` characters; notes "truncated" when it was cut."""
    if len(text) <= limit:
        return text
    if "truncated" not in flags:
        flags.append("truncated")
    return truncate_words(text, limit)


def plain_text(text: str) -> str:
    """Template output tidied line by line: NFC, single spaces, at most one blank line in a row."""
    lines = "\n".join(tidy(line) for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


class Renderer:
    """Renders posts from the templates in `template_dir`, else the shipped ones (re-read when changed)."""

    def __init__(self, template_dir: Path, settings: RenderSettings) -> None:
        self.template_dir = template_dir.resolve()
        self.folders = [self.template_dir, SHIPPED_TEMPLATES]
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)
        self.env = make_environment(self.folders)

    def render(
        self, channel_type: str, input: RenderInput, template: str | None = None
    ) -> Rendered:
        """The post for one channel from `template` (a per-feed override in template_dir) or
        "<channel_type>.j2". Never raises for template problems: returns Rendered with error set.
        """
        if channel_type not in CHANNEL_TYPES:
            raise ValueError(f"unknown channel type {channel_type!r}")
        name = template or f"{channel_type}.j2"
        try:
            output = self._run(name, self.variables(channel_type, input))
        except Exception as exc:  # any template problem becomes a value, never a crash
            post = self._post(channel_type, input, "")
            error = self._describe(name, exc)
            return replace(post, error=error, flags=("template_error", *post.flags))
        return self._post(channel_type, input, output)

    def _post(self, channel_type: str, input: RenderInput, output: str) -> Rendered:
        if channel_type == "zalo":
            return self._zalo(input, output)
        flags: list[str] = []
        text = fit(plain_text(output), FACEBOOK_MAX, flags)
        return Rendered(
            channel_type, text, web_url(input.url), cover=web_url(input.image), flags=tuple(flags)
        )

    def check_text(self, channel_type: str, text: str, field: str = "text") -> str | None:
        """None if an editor's text fits the channel, else a Vietnamese message saying why not.

        `field` is "text" (the Facebook or sandbox message; the Zalo body, no known limit) or,
        for Zalo, "title", "author" or "description". Counts NFC characters, as render does.
        """
        if channel_type not in CHANNEL_TYPES or field not in _FIELDS:
            raise ValueError(f"unknown channel type or field: {channel_type!r}, {field!r}")
        if channel_type != "zalo" and field != "text":
            raise ValueError(f"{channel_type} posts have no {field!r}")
        limit = ZALO_LIMITS.get(field) if channel_type == "zalo" else FACEBOOK_MAX
        length = len(unicodedata.normalize("NFC", text).strip())
        if length == 0:
            return f"{_FIELDS[field]} trống"
        if limit is not None and length > limit:
            return (
                f"{_FIELDS[field]} dài {length} ký tự, vượt giới hạn {limit} ký tự "
                f"của {channel_type.capitalize()}"
            )
        return None

    def variables(self, channel_type: str, input: RenderInput) -> dict[str, Any]:
        """The names a template can use (documented in templates/README.md)."""
        published = input.published
        if published is not None:
            published = published.replace(tzinfo=published.tzinfo or UTC).astimezone(self.zone)
        agency = [input.agency] if self.settings.agency_hashtag else []
        hashtags = list(build_hashtags([*self.settings.hashtags, *agency]))
        names = ("title", "summary", "author", "feed_id", "feed_name", "agency")
        return {name: getattr(input, name) for name in names} | {
            "url": web_url(input.url),
            "image": web_url(input.image),
            "published": published,
            "published_text": published.strftime("%d/%m/%Y %H:%M") if published else "",
            "categories": list(input.categories),
            "hashtags": hashtags,
            "hashtags_text": " ".join(hashtags),
            "channel": channel_type,
            "item": input,
        }

    def _run(self, name: str, variables: dict[str, Any]) -> str:
        """The template's output, stopped once it passes OUTPUT_CAP characters."""
        chunks = self.env.get_template(name).generate(variables)
        token = BUDGET.set(Budget())
        try:
            parts, size = [], 0
            for chunk in chunks:
                size += len(chunk)
                if size > OUTPUT_CAP:
                    raise OutputCapError(f"output over {OUTPUT_CAP} characters")
                parts.append(chunk)
            return "".join(parts)
        finally:
            getattr(chunks, "close", lambda: None)()  # ends the template at once, not at GC
            BUDGET.reset(token)

    def _describe(self, name: str, exc: Exception) -> str:
        """'<dir>/<file> line N: what went wrong', naming the template where it happened."""
        if isinstance(exc, TemplateNotFound):
            return f"{self._label(str(exc.name or name))}: template not found"
        line: int | None = None
        message = str(exc) or type(exc).__name__
        if isinstance(exc, TemplateSyntaxError):
            name, line, message = exc.name or name, exc.lineno, exc.message or message
        elif not isinstance(exc, OutputCapError):
            for frame, lineno in traceback.walk_tb(exc.__traceback__):
                found = self._template_name(frame.f_code.co_filename)
                if found is not None:  # the innermost template frame (includes, macros)
                    name, line = found, lineno
        return f"{self._label(name)}{f' line {line}' if line else ''}: {message}"

    def _template_name(self, filename: str) -> str | None:
        for folder in self.folders:
            if Path(filename).is_relative_to(folder):
                return Path(filename).relative_to(folder).as_posix()
        return None

    def _label(self, name: str) -> str:
        return f"{self.template_dir.name}/{name}"

    def _zalo(self, input: RenderInput, output: str) -> Rendered:
        flags: list[str] = []
        author = input.author or input.agency or input.feed_name
        title = fit(tidy(input.title), ZALO_LIMITS["title"], flags)
        author = fit(tidy(author), ZALO_LIMITS["author"], flags)
        description = fit(tidy(output), ZALO_LIMITS["description"], flags)
        cover = web_url(input.image) or self.settings.default_image
        if cover is None:
            flags.append("no_image")
        body = zalo_body(input)
        text = "\n".join(html_to_text(b["content"]) for b in body if b["type"] == "text")
        return Rendered(
            "zalo", tidy(text, keep_newlines=True), web_url(input.url), title=title, author=author,
            description=description, cover=cover, body=body, flags=tuple(flags),
        )  # fmt: skip


def web_url(url: str | None) -> str | None:
    """`url` if it is an http(s) address (the only kind a platform can fetch or a reader open)."""
    return url if url and _WEB_URL.match(url) else None


def zalo_body(input: RenderInput) -> tuple[dict[str, str], ...]:
    """Zalo article blocks: the picture (unless the HTML shows it), the content, the source."""
    content = sanitize_html(input.content_html, input.url)  # again: cheap, and safe if skipped
    blocks: list[dict[str, str]] = []
    image = web_url(input.image)
    if image and image not in unescape(content):
        blocks.append({"type": "image", "url": image, "caption": ""})
    if not content:
        lines = input.summary.splitlines()
        content = "".join(f"<p>{escape(line.strip())}</p>" for line in lines if line.strip())
    if content:
        blocks.append({"type": "text", "content": content})
    source = escape(input.feed_name)
    if web_url(input.url):
        source = Markup('<a href="{}">{}</a>').format(input.url, input.feed_name)
    blocks.append({"type": "text", "content": f"<p>Nguồn: {source}</p>"})
    return tuple(blocks)
