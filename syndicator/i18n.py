"""The gettext catalogues of what people read: the admin page's, which the sandbox channel's HTML
files share (the same card says the same words in both).

The files live in syndicator/web/i18n/, where the page's messages began; this module is the one
place that says so, so a stage below the web reads them without importing the web.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel.support import Translations

CATALOGUES = Path(__file__).parent / "web" / "i18n"
DOMAIN = "messages"


@cache
def translations(language: str) -> gettext.NullTranslations:
    return Translations.load(str(CATALOGUES), [language], domain=DOMAIN)
