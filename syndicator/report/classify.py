"""Which category an item belongs to: the first rule of the settings with a keyword in its title
or a path in its link, else its feed's category, else "" (uncategorized).

The rules are compiled once per report into a table from a keyword's first word to the rules
it starts, so an item costs one look-up per word of its title whatever the number of rules.
Keywords and titles are compared in their searched form (storage/search_text.py: no case, no
accents, đ as d), word by word: "dau thau" finds "Đấu thầu,", and "đầu tư" does not find
"đầu tuần" (folded, "dau tu" is the start of "dau tuan").
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storage.search_text import search_text
from syndicator.report_settings import RuleSettings

UNCATEGORIZED = ""
# Part of the rules' digest: bump it when the way rules match changes (the words, the folding),
# so that the categories stored under the old way are classified again (storage/categories.py).
MATCHING_VERSION = 1

Phrase = tuple[str, ...]

# Punctuation and symbols become spaces: ASCII's, Latin-1's and the typographic ones (dashes,
# curly quotes, the ellipsis). A searched title is ASCII but for these (its letters lost their
# marks), and str.translate then str.split cut it into words in a third of a \w+ regex's time.
_SEPARATORS = str.maketrans(
    dict.fromkeys(
        [*string.punctuation]
        + [
            chr(code)
            for code in [*range(0x80, 0x100), *range(0x2000, 0x2070)]
            if unicodedata.category(chr(code))[0] in "PSZC"
        ],
        " ",
    )
)


def split_words(searched: str) -> list[str]:
    """The words of a text already in its searched form."""
    return searched.translate(_SEPARATORS).split()


def words(text: str) -> Phrase:
    """The words of `text` in their searched form."""
    return tuple(split_words(search_text(text)))


@dataclass(frozen=True)
class Classifier:
    """The rules, compiled (see the module's docstring)."""

    digest: str  # of the rules and MATCHING_VERSION: what stored categories were made under
    categories: tuple[str, ...]  # rule index -> its category
    starts: dict[str, tuple[tuple[Phrase, int], ...]]  # first word -> (keyword, rule index)
    paths: tuple[tuple[str, int], ...]  # (url path in lower case, rule index), by rule
    any_path: re.Pattern[str]  # any of the paths anywhere in a link: most links have none

    @classmethod
    def compile(cls, rules: Sequence[RuleSettings]) -> Classifier:
        starts: dict[str, list[tuple[Phrase, int]]] = defaultdict(list)
        for index, rule in enumerate(rules):
            for keyword in rule.keywords:
                phrase = words(keyword)
                if phrase:  # a keyword of punctuation only has no word to match
                    starts[phrase[0]].append((phrase, index))
        paths = tuple(
            (path.lower(), index) for index, rule in enumerate(rules) for path in rule.url_paths
        )
        return cls(
            digest=rules_digest(rules),
            categories=tuple(rule.category for rule in rules),
            starts={word: tuple(found) for word, found in starts.items()},
            paths=paths,
            any_path=re.compile("|".join(re.escape(path) for path, _ in paths)),
        )

    def stored_category(self, searched: str | None, title: str | None, link: str | None) -> str:
        """The rules' category of an item as a row stores it (its folded title, or its title
        where the row has no folded form), UNCATEGORIZED when no rule matches."""
        folded = searched if searched is not None else search_text(title or "")
        return self.category(folded, link, UNCATEGORIZED)

    def category(self, searched_title: str, link: str | None, default: str) -> str:
        """The category of an item with this title (already in its searched form) and link."""
        best = self._by_title(searched_title)
        if link and self.paths and self.paths[0][1] < best:
            best = self._by_path(link.lower(), best)
        return self.categories[best] if best < len(self.categories) else default

    def _by_title(self, searched_title: str) -> int:
        """The first rule with a keyword in the title, or len(rules)."""
        best = len(self.categories)
        title = split_words(searched_title)
        if self.starts.keys().isdisjoint(title):  # most titles: no keyword starts in them
            return best
        for start, word in enumerate(title):
            for phrase, rule in self.starts.get(word, ()):
                if rule < best and tuple(title[start : start + len(phrase)]) == phrase:
                    best = rule
        return best

    def _by_path(self, link: str, best: int) -> int:
        """The first rule before `best` with one of its paths in the path of `link` (in lower
        case), else `best`."""
        if self.any_path.search(link) is None:  # nowhere in the link: most links
            return best
        path = link_path(link)
        for part, rule in self.paths:
            if rule >= best:
                break
            if part in path:
                return rule
        return best


def rules_digest(rules: Sequence[RuleSettings]) -> str:
    """16 hex digits that change with any rule, their order, or MATCHING_VERSION."""
    described = [[rule.category, list(rule.keywords), list(rule.url_paths)] for rule in rules]
    text = json.dumps([MATCHING_VERSION, described], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# scheme://host, then the path up to the query or fragment: what urlsplit finds, in a tenth of
# its time (the report classifies every item of its period).
_PATH = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^?#]*)")


def link_path(link: str) -> str:
    """The path of an absolute link ("" when the link has no scheme and host)."""
    found = _PATH.match(link)
    return found[1] if found else ""
