"""A post drawn as its platform shows it: one template (card.html) and one stylesheet (card.css)
for the admin page's previews and the sandbox channel's HTML files (page.py), so both show the
same card. The web gets this folder through syndicator.services.posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

FOLDER = Path(__file__).parent  # card.html and page.html: a Jinja search path
STYLESHEET = FOLDER / "card.css"


@dataclass(frozen=True)
class Card:
    """What card.html draws: one channel's post, a Fanpage-style message with its link card or
    a Zalo OA article. Every value is feed text, shown escaped."""

    post_id: int
    channel: str
    text: str  # what is (or will be) published
    link: str | None
    headline: str  # the link card's title: the article's title
    article: bool  # the kind shows fields of its own (a Zalo article), else one message
    cover: str | None = None  # the picture a link card or an article shows
    title: str = ""  # an article's own title, author and description
    author: str = ""
    description: str = ""
    template_error: str | None = None  # the template failed: the text is an editor's or empty

    @property
    def link_host(self) -> str | None:
        return link_host(self.link)


def link_host(link: str | None) -> str | None:
    """The link's host, as a link card shows it under the picture ("skhcn.gov.vn")."""
    try:
        host = urlsplit(link).hostname if link else None
    except ValueError:  # "https://[bad": still shown as the link's text, with no host
        return None
    return host.removeprefix("www.") if host else None
