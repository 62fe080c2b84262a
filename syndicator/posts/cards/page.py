"""A post's card as a page of its own: the HTML file the sandbox channel writes beside each post's
JSON, drawn with the admin page's card template (card.html) so a rehearsal shows what the
preview showed. In Vietnamese, the stylesheet inline, and nothing else to load but the post's own
pictures: the file is opened from disk, away from the admin page's headers.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import Engine

from connectors.base import OutgoingPost
from storage import posts as post_store
from storage.session import reading
from syndicator.i18n import translations
from syndicator.ingest.normalize.urls import web_url
from syndicator.posts.cards import FOLDER, STYLESHEET, Card

LANGUAGE = "vi"  # what an editor reads first (the admin page's default too)
# Pictures are the portal's (http or https); no script, no font, no request elsewhere.
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; "
    "base-uri 'none'; form-action 'none'"
)


def page_of_outgoing(engine: Engine, channel: str, post: OutgoingPost) -> str:
    """The page of a post being published on `channel`, its link card titled with the
    article's title as on the admin page."""
    return standalone_page(outgoing_card(post, channel, _headline(engine, post.post_id)))


def outgoing_card(post: OutgoingPost, channel: str, headline: str) -> Card:
    """The card of what is sent: the text with an editor's changes, the shareable link. A post
    with a title of its own is an article (Zalo), else one message."""
    return Card(
        post.post_id, channel, post.text, post.link, headline, article=bool(post.title),
        cover=post.cover, title=post.title, author=post.author, description=post.description,
    )  # fmt: skip


def standalone_page(card: Card) -> str:
    """The card alone on a page, in Vietnamese, with its stylesheet inline."""
    page = _environment().get_template("page.html")
    # The stylesheet is our own file, not feed text: escaped, a ">" would break its rule.
    stylesheet = Markup(_stylesheet())  # noqa: S704
    gettext = translations(LANGUAGE).gettext
    return page.render(card=card, lang=LANGUAGE, _=gettext, csp=POLICY, stylesheet=stylesheet)


def _headline(engine: Engine, post_id: int) -> str:
    with reading(engine) as session:
        found = post_store.with_items(session, [post_id])
    return found[0][1].title if found else ""


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(FOLDER), autoescape=True, undefined=StrictUndefined)
    env.filters["web_url"] = web_url  # the rule the admin page's cards follow
    return env


@cache
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")
