"""The CLI's formatting helpers: local times, titles cut between words, plurals."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from syndicator.cli.output import local_time, plural, short_title

TITLE = "Hội nghị triển khai nhiệm vụ khoa học và công nghệ năm 2027 của Sở Khoa học và Công nghệ"


def test_local_time_has_the_offset() -> None:
    """03:00 UTC is 10:00 in Hà Nội, shown with its offset."""
    moment = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    assert local_time(moment, "Asia/Ho_Chi_Minh") == "2026-11-01 10:00 +07"
    assert local_time(moment, "Asia/Ho_Chi_Minh", seconds=True) == "2026-11-01 10:00:00 +07"


def test_a_title_in_decomposed_form_is_never_cut_inside_a_letter() -> None:
    """A title written as letters plus combining marks (NFD) is cut between words, as NFC."""
    decomposed = unicodedata.normalize("NFD", TITLE)
    for width in range(20, len(TITLE)):
        cut = short_title(decomposed, width)
        assert len(cut) <= width and cut.endswith("…")
        assert unicodedata.is_normalized("NFC", cut)
        assert TITLE.startswith(cut[:-1]) and TITLE[len(cut) - 1] == " "


def test_a_short_title_is_kept_whole() -> None:
    assert short_title(TITLE, len(TITLE)) == TITLE
    assert short_title("Tin  ngắn\n", 70) == "Tin ngắn"


def test_plural() -> None:
    assert [plural(n, "post") for n in (0, 1, 2)] == ["0 posts", "1 post", "2 posts"]
    assert plural(1, "new item") == "1 new item"
