"""A post as it will appear on its channel, for review screens (the terminal, the admin page)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from connectors.registry import kind_of
from connectors.rendering import Rendered
from storage.models import Post


@dataclass(frozen=True)
class Preview:
    """What an editor reads before approving: the text that will be published, and beside it
    what the channel shows around the text."""

    channel_type: str
    fields: tuple[tuple[str, str], ...]  # (label, value) the channel shows besides the text
    text: str  # what will be published: the editor's text, else the rendering
    link: str | None
    template_error: str | None  # the template failed: no text until a rerender or an edit
    original_text: str | None  # the rendering, when an editor replaced it
    edited_by: str | None
    cover: str | None = None  # the picture a link card or an article shows
    title: str = ""  # an article's own title (empty for a one-message channel)
    author: str = ""
    description: str = ""

    @property
    def link_host(self) -> str | None:
        """The link's host, as a link card shows it under the picture ("skhcn.gov.vn")."""
        host = urlsplit(self.link).hostname if self.link else None
        return host.removeprefix("www.") if host else None


def preview(post: Post) -> Preview:
    rendered = Rendered.from_json(post.rendered)
    edited = post.edited_text is not None
    return Preview(
        channel_type=rendered.channel_type,
        fields=channel_fields(rendered),
        text=post.edited_text if post.edited_text is not None else rendered.text,
        link=rendered.link,
        template_error=rendered.error,
        original_text=rendered.text if edited else None,
        edited_by=post.edited_by if edited else None,
        cover=rendered.cover,
        title=rendered.title,
        author=rendered.author,
        description=rendered.description,
    )


def current_text(post: Post) -> str:
    """The text an editor starts from: their last edit, else the rendering."""
    return post.edited_text or Rendered.from_json(post.rendered).text


def channel_fields(rendered: Rendered) -> tuple[tuple[str, str], ...]:
    """What the channel shows around the text (a Zalo article's title, author, description and
    cover), as (Vietnamese label, value) pairs: the kind's own preview."""
    return kind_of(rendered.channel_type).preview(rendered)
