"""A post as it will appear on its channel, for review screens (the terminal, the admin page),
and the card the admin page draws it with (the sandbox channel's HTML files use the same one)."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.registry import kind_of
from connectors.rendering import Rendered
from storage.models import Post
from syndicator.ingest.normalize.urls import web_url as web_url  # the one rule for feed links
from syndicator.posts import cards
from syndicator.posts.cards import Card as Card

CARD_TEMPLATES = cards.FOLDER  # card.html, a search path of the web's templates
CARD_STYLESHEET = cards.STYLESHEET  # card.css, which the web serves


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
        return cards.link_host(self.link)


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


def card(post_id: int, channel: str, shown: Preview, headline: str) -> Card:
    """What the card template draws of a post: `headline` is its article's title (the link
    card's); a kind that shows fields of its own (a Zalo article) gets the article card."""
    return Card(
        post_id, channel, shown.text, shown.link, headline, article=bool(shown.fields),
        cover=shown.cover, title=shown.title, author=shown.author,
        description=shown.description, template_error=shown.template_error,
    )  # fmt: skip


def current_text(post: Post) -> str:
    """The text an editor starts from: their last edit, else the rendering."""
    return post.edited_text or Rendered.from_json(post.rendered).text


def channel_fields(rendered: Rendered) -> tuple[tuple[str, str], ...]:
    """What the channel shows around the text (a Zalo article's title, author, description and
    cover), as (Vietnamese label, value) pairs: the kind's own preview."""
    return kind_of(rendered.channel_type).preview(rendered)
