"""Renders a page: the Jinja2 environment (autoescape on), and what every page gets to know."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from syndicator.i18n import translations
from syndicator.services import users
from syndicator.services.posts import CARD_TEMPLATES, web_url
from syndicator.services.report import REPORT_TEMPLATES
from syndicator.web import labels

if TYPE_CHECKING:
    from syndicator.services.users import User

TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    """The page templates, with the site's timezone for the times they show."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self.env = Environment(
            # The post cards' template (card.html) is shared with the sandbox's HTML files, the
            # report's sections (report_sections.html) with the report's standalone file.
            loader=FileSystemLoader([TEMPLATES, CARD_TEMPLATES, REPORT_TEMPLATES]),
            autoescape=True,
            undefined=StrictUndefined,
        )
        self.env.filters["local"] = self.local_time
        self.env.filters["web_url"] = web_url

    def local_time(self, moment: datetime | None) -> str:
        return moment.astimezone(self.zone).strftime("%d/%m/%Y %H:%M") if moment else ""

    def render(
        self,
        request: Request,
        template: str,
        status_code: int = 200,
        /,
        user: User | None = None,
        **context: Any,
    ) -> HTMLResponse:
        language: str = request.state.lang
        catalogue = translations(language)
        common = {
            "_": catalogue.gettext,
            "lang": language,
            "user": user,
            "csrf": request.state.session.csrf,
            "path": request.url.path,
            "labels": labels,
            "can": lambda action: user is not None and users.can(user, action),
        }
        html = self.env.get_template(template).render(**common, **context)
        return HTMLResponse(html, status_code=status_code)
