"""Every message a page shows has its Vietnamese translation, with the same placeholders, and
the compiled catalogues in the package are those their `.po` files compile to."""

from __future__ import annotations

import re

import pytest

from syndicator.web.catalogues import catalogue, compiled, po_path, used_messages
from syndicator.web.language import LANGUAGES

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_every_message_is_translated_to_vietnamese() -> None:
    vietnamese = catalogue("vi")
    missing = sorted(m for m in used_messages() if not (vietnamese.get(m) and vietnamese[m].string))
    assert missing == []


def test_translations_keep_their_placeholders() -> None:
    for message in catalogue("vi"):
        if message.id and message.string:
            assert sorted(PLACEHOLDER.findall(str(message.string))) == sorted(
                PLACEHOLDER.findall(str(message.id))
            ), message.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_up_to_date(language: str) -> None:
    """After editing a .po: `python -m syndicator.web.catalogues`."""
    assert po_path(language).with_suffix(".mo").read_bytes() == compiled(language)


def test_the_shared_cards_words_are_among_the_messages() -> None:
    """The post card's template (syndicator/posts/cards/, shared with the sandbox's HTML files)
    is scanned too, so its words cannot go untranslated."""
    assert {"Just now", "No cover image", "As it will appear on %(channel)s"} <= used_messages()
