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
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2.exceptions import TemplateNotFound, TemplateSyntaxError

from connectors import registry
from connectors.base import ChannelKind
from connectors.rendering import Rendered as Rendered  # the core's names for them
from connectors.rendering import RenderInput as RenderInput
from connectors.rendering import TextTools
from syndicator.ingest.normalize.markup import html_to_text, sanitize_html
from syndicator.ingest.normalize.text import tidy, truncate_words
from syndicator.ingest.normalize.urls import web_url as web_url  # in TEXT_TOOLS below
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

CHANNEL_TYPES = registry.TYPES
# The defaults, shipped inside the package (so a non-editable install has them too): a name
# missing from the operator's folder is looked up here.
SHIPPED_TEMPLATES = Path(__file__).resolve().parent / "default_templates"
_FIELDS = {"text": "Nội dung", "title": "Tiêu đề", "author": "Tác giả", "description": "Mô tả"}
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class RenderSettings:
    """The operator's rendering settings."""

    hashtags: tuple[str, ...] = ()  # always added, e.g. ("#QuangNgai",)
    agency_hashtag: bool = True  # also "#SoKHCNDakLak" from the agency "Sở KH&CN Đắk Lắk"
    default_image: str | None = None  # cover when the item has none
    timezone: str = "Asia/Ho_Chi_Minh"  # for dates shown in templates


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
        kind = registry.kind_of(channel_type)  # a ValueError for an unknown type
        name = template or f"{channel_type}.j2"
        try:
            output = self._run(name, self.variables(channel_type, input))
        except Exception as exc:  # any template problem becomes a value, never a crash
            post = self._post(kind, input, "")
            error = self._describe(name, exc)
            return replace(post, error=error, flags=("template_error", *post.flags))
        return self._post(kind, input, output)

    def _post(self, kind: ChannelKind, input: RenderInput, output: str) -> Rendered:
        """The channel's kind fits the output to its platform (connectors/<type>/kind.py)."""
        return kind.shape(input, output, self.settings.default_image, TEXT_TOOLS)

    def check_text(self, channel_type: str, text: str, field: str = "text") -> str | None:
        """None if an editor's text fits the channel, else a Vietnamese message saying why not.

        `field` is "text" (the Facebook or sandbox message; the Zalo body, no known limit) or
        another field the kind limits (Zalo's "title", "author", "description"). Counts NFC
        characters, as render does.
        """
        if channel_type not in registry.KINDS or field not in _FIELDS:
            raise ValueError(f"unknown channel type or field: {channel_type!r}, {field!r}")
        limits = registry.kind_of(channel_type).limits
        if field not in limits:
            raise ValueError(f"{channel_type} posts have no {field!r}")
        limit = limits[field]
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


class _CoreText:
    """The core's text helpers, as a kind's rendering fix-up gets them (TextTools)."""

    fit = staticmethod(fit)
    tidy = staticmethod(tidy)
    plain_text = staticmethod(plain_text)
    html_to_text = staticmethod(html_to_text)
    sanitize_html = staticmethod(sanitize_html)
    web_url = staticmethod(web_url)


TEXT_TOOLS: TextTools = _CoreText()
