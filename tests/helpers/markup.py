"""Reads an HTML page as a browser's parser would see its tags (the standard library's
html.parser: neither html5lib nor lxml is installed), and fails on an end tag that closes
nothing or the wrong element, so a test knows the page is well formed, not only that some text
is in it."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

# Elements with no end tag in HTML; SVG's are written self-closed (<rect .../>).
VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "source", "area", "base", "col"}
# Closed by the next sibling or their parent without an end tag (we always write theirs).
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "option"}


@dataclass
class Tag:
    name: str
    attrs: dict[str, str | None]
    text: str = ""  # the text directly inside it (a <style>'s rules, a <title>'s words)


class Page(HTMLParser):
    """Every tag in document order, and the text a reader sees (outside <style>)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.words: list[str] = []
        self.open: list[Tag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = Tag(tag, dict(attrs))
        self.tags.append(found)
        if tag not in VOID:
            self.open.append(found)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(Tag(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open[-1].name != tag and self.open[-1].name in OPTIONAL_END:
            self.open.pop()
        assert self.open and self.open[-1].name == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].text += data
        if not (self.open and self.open[-1].name == "style"):
            self.words.append(data)

    @property
    def text(self) -> str:
        """The words, each element's apart, with runs of white space made one space."""
        return " ".join(" ".join(self.words).split())

    def named(self, name: str) -> list[Tag]:
        return [tag for tag in self.tags if tag.name == name]

    def with_class(self, name: str) -> list[Tag]:
        return [tag for tag in self.tags if name in (tag.attrs.get("class") or "").split()]


def parsed(html: str) -> Page:
    """The page's tags, after checking every element it opens is closed in order."""
    page = Page()
    page.feed(html)
    page.close()
    unclosed = [tag.name for tag in page.open if tag.name not in OPTIONAL_END | {"html", "body"}]
    assert unclosed == [], f"never closed: {unclosed}"
    return page
