"""The admin web app: `create_app(app)` over the composition root's App."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from syndicator.ops.keys import derived_key, master_key
from syndicator.web import errors
from syndicator.web.api.app import PREFIX as API_PREFIX
from syndicator.web.api.app import create_api
from syndicator.web.guard import Web, form_token_checked
from syndicator.web.middleware import around
from syndicator.web.pages import Pages
from syndicator.web.routes import (
    account,
    audit,
    channels,
    feeds,
    login,
    people,
    post,
    queue,
    reach,
    report,
    setup,
    views,
)
from syndicator.web.sessions import SessionCodec

if TYPE_CHECKING:
    from syndicator.app import App

STATIC = Path(__file__).parent / "static"


def create_app(app: App) -> FastAPI:
    """The pages, their guards and security headers; sessions signed with a key derived from
    the master key (SYNDICATOR_SECRET_KEY or var/secret.key)."""
    key = derived_key(master_key(app.settings.resolve_path("var/secret.key")), "sessions")
    site = FastAPI(
        title="Syndicator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(form_token_checked)],
    )
    site.state.web = Web(app, Pages(app.settings.timezone), SessionCodec(key))
    site.middleware("http")(around)
    errors.install(site)
    pages = (login, setup, queue, post, views, feeds, channels, people, account, audit, report)
    for page in (*pages, reach):
        site.include_router(page.router)
    # The JSON API: its own app (bearer tokens, JSON refusals), outside the form-token check.
    site.mount(API_PREFIX, create_api(app))
    site.mount("/static", StaticFiles(directory=STATIC), name="static")
    return site
