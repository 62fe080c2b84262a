"""The gettext catalogues: which messages the pages use, and the compiled `.mo` beside each `.po`.

The `.mo` files are kept in the repository (a wheel and `pip install -e .` need no build step);
tests/web/test_catalogues.py fails when a message lacks its Vietnamese translation or a `.mo`
is older than its `.po`. After editing a `.po`: `python -m syndicator.web.catalogues`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from syndicator.i18n import CATALOGUES, DOMAIN
from syndicator.services.posts import CARD_TEMPLATES
from syndicator.services.report import REPORT_TEMPLATES
from syndicator.web.language import LANGUAGES

HERE = Path(__file__).parent
REPORT = REPORT_TEMPLATES.parent  # syndicator/report/
# Templates through Jinja's extractor; Python modules mark ids with _() or labels.N_().
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "N_": None}
CARD_METHODS = [("**.html", "jinja2.ext:babel_extract")]
# The report's file and charts speak the page's language: their templates and the modules
# that translate (the rest of syndicator/report/ computes, and says nothing to translate).
REPORT_METHODS = [
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("charts.py", "python"),
    ("reach_charts.py", "python"),
    ("html.py", "python"),
]


def used_messages() -> set[str]:
    """Every message id the templates and the web modules ask to translate, the post cards'
    template (shared with the sandbox's HTML files, which show it in Vietnamese), and the
    report's file and charts (shared with the /report page)."""
    found = [
        *extract_from_dir(str(HERE), METHODS, keywords=KEYWORDS, comment_tags=()),
        *extract_from_dir(str(CARD_TEMPLATES), CARD_METHODS, keywords=KEYWORDS, comment_tags=()),
        *extract_from_dir(str(REPORT), REPORT_METHODS, keywords=KEYWORDS, comment_tags=()),
    ]
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def po_path(language: str) -> Path:
    return CATALOGUES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def compiled(language: str) -> bytes:
    """The `.mo` bytes the `.po` of `language` compiles to."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue(language))
    return buffer.getvalue()


def compile_all() -> Iterator[Path]:
    for language in LANGUAGES:
        target = po_path(language).with_suffix(".mo")
        target.write_bytes(compiled(language))
        yield target


if __name__ == "__main__":
    for written in compile_all():
        print(written)
