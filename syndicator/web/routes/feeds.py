"""`/feeds`: every feed's state, for everyone; for admins, adding a portal from its page address
(discovery, a preview of its latest items, the form that saves it) and removing one added here.

Discovery runs inside the POST (up to about a minute, as `feeds discover` does): the page says
so, and the form's values come back as hidden fields the service validates again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from syndicator.services import added_feeds, discovery, feeds, users
from syndicator.web.guard import require, signed_in, web
from syndicator.web.labels import N_

router = APIRouter()
SignedIn = Annotated[users.User, Depends(signed_in)]
Field = Annotated[str, Form()]
MANAGE_FEEDS = "manage_feeds"  # admins only (storage/states.py, ROLE_PERMISSIONS)
SELECTOR = "selector_"  # the hidden fields carrying a listing's selectors: selector_item, ...

DONE = {
    "added": N_("Portal %(name)s is added: the service polls it from its next round."),
    "removed": N_("Portal %(name)s is removed; its items and posts stay."),
}
ORIGINS = {
    "given": N_("the address itself"),
    "advertised": N_("advertised by the page"),
    "guessed": N_("a usual address"),
}
# A Vietnamese word for the usual verdicts; the technical reason is shown beside it as code.
REASONS = {
    "ok": N_("a working feed"),
    "http_404": N_("no such page"),
    "html_page": N_("a web page, not a feed"),
    "not_a_feed": N_("not a feed"),
    "empty": N_("a feed without items"),
    "json_feed_unsupported": N_("a JSON Feed, which the service cannot read"),
    "not_checked": N_("not checked"),
    "robots_disallowed": N_("closed by the portal's robots.txt"),
    "timeout": N_("no answer in time"),
}


@dataclass(frozen=True)
class Draft:
    """The save form's values: proposed by discovery, then as the admin sent them back."""

    id: str
    name: str
    url: str
    type: str
    selectors: dict[str, str] = field(default_factory=dict)
    agency: str = ""
    category: str = ""
    channels: tuple[str, ...] = ()
    review: str = "required"

    def table(self) -> dict[str, Any]:
        """As a `[[feeds]]` table (checked by the service, never here)."""
        table: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "type": self.type,
            "agency": self.agency,
            "category": self.category,
            "channels": list(self.channels),
            "review": self.review,
        }
        return table | ({"selectors": dict(self.selectors)} if self.selectors else {})


async def draft_sent(request: Request) -> Draft:
    """The save form as sent (each field a string, whatever the browser was given)."""
    form = await request.form()

    def one(key: str) -> str:
        value = form.get(key)
        return value.strip() if isinstance(value, str) else ""

    selectors = {
        key.removeprefix(SELECTOR): value
        for key, value in form.multi_items()
        if key.startswith(SELECTOR) and isinstance(value, str) and value
    }
    channels = tuple(value for value in form.getlist("channels") if isinstance(value, str))
    return Draft(
        id=one("id"),
        name=one("name"),
        url=one("url"),
        type=one("type"),
        selectors=selectors,
        agency=one("agency"),
        category=one("category"),
        channels=channels,
        review=one("review"),
    )


Sent = Annotated[Draft, Depends(draft_sent)]


@router.get("/feeds")
def feeds_page(request: Request, user: SignedIn, done: str = "", name: str = "") -> Response:
    return _feeds(request, user, done=DONE.get(done), name=name)


@router.post("/feeds/discover")
def discover(request: Request, user: SignedIn, url: Field) -> Response:
    require(user, MANAGE_FEEDS)
    site = web(request)
    found = discovery.discover_portal(site.app, url, with_added=True)
    draft = None
    if found.kind and found.source_url:
        draft = Draft(
            id=found.feed_id or "",
            name=found.name or "",
            url=found.source_url,
            type=found.kind,
            selectors=found.selectors or {},
        )
    return _portal(request, user, 200, found=found, draft=draft)


@router.post("/feeds/add")
def add(request: Request, user: SignedIn, draft: Sent) -> Response:
    require(user, MANAGE_FEEDS)
    try:
        added = added_feeds.add_feed(web(request).app, draft.table(), by=user.name)
    except added_feeds.FeedRefused as refused:
        return _portal(request, user, 409, found=None, draft=draft, error=str(refused))
    return _done("added", added.id)


@router.post("/feeds/remove")
def remove(request: Request, user: SignedIn, feed: Field) -> Response:
    require(user, MANAGE_FEEDS)
    try:
        added_feeds.remove_feed(web(request).app, feed, by=user.name)
    except added_feeds.FeedRefused as refused:
        return _feeds(request, user, 409, error=str(refused))
    return _done("removed", feed)


def _feeds(
    request: Request, user: users.User, status_code: int = 200, **context: object
) -> Response:
    """The feeds; beside each added on this page, who added it. An added portal that no longer
    fits the settings (its id now the file's, a channel or category gone) is not polled: it is
    listed apart, to be removed."""
    site = web(request)
    for key, empty in (("error", None), ("done", None), ("name", "")):
        context.setdefault(key, empty)
    rows = feeds.feed_report(site.app)
    in_file = {feed.id for feed in site.app.settings.feeds}
    polled = {row.feed for row in rows} - in_file
    added = added_feeds.added_feeds(site.app)
    return site.pages.render(
        request,
        "feeds.html",
        status_code,
        user=user,
        rows=rows,
        added={portal.feed.id: portal for portal in added if portal.feed.id in polled},
        left_out=[portal for portal in added if portal.feed.id not in polled],
        admin=users.can(user, MANAGE_FEEDS),
        **context,
    )


def _portal(request: Request, user: users.User, status_code: int, **context: Any) -> Response:
    """The discovery's findings (when there are: not after a refused save) and the save form."""
    site = web(request)
    context.setdefault("error", None)
    found, draft = context["found"], context["draft"]
    url = draft.url if draft else None
    already_added = next(
        (portal.feed.id for portal in added_feeds.added_feeds(site.app) if portal.feed.url == url),
        None,
    )
    return site.pages.render(
        request,
        "portal.html",
        status_code,
        user=user,
        choices=added_feeds.feed_choices(site.app),
        origins=ORIGINS,
        reasons=REASONS,
        already_added=already_added if found else None,
        **context,
    )


def _done(what: str, name: str) -> Response:
    return RedirectResponse("/feeds?" + urlencode({"done": what, "name": name}), status_code=303)
