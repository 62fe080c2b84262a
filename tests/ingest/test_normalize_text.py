"""normalize.text: NFC, whitespace, mojibake repair, truncation and the title fingerprint."""

from __future__ import annotations

import unicodedata

import pytest

from syndicator.ingest.normalize.text import (
    clean_text,
    normalize_text,
    repair_mojibake,
    title_key,
    truncate_words,
)
from syndicator.records import Flag

VIET = "Báo tiếng Việt: Sở Tư pháp hướng dẫn thủ tục mới"


def test_nfd_input_comes_out_nfc() -> None:
    """Decomposed Vietnamese (as cp1258 software writes it) is composed to NFC."""
    nfd = unicodedata.normalize("NFD", "Cổng thông tin điện tử tỉnh Quảng Ngãi")
    cleaned, flags = clean_text(nfd)
    assert cleaned == "Cổng thông tin điện tử tỉnh Quảng Ngãi"
    assert unicodedata.is_normalized("NFC", cleaned)
    assert flags == frozenset()


def test_whitespace_collapses_to_single_spaces() -> None:
    """Runs of spaces, tabs, newlines and NBSP become one space; ends are stripped."""
    assert normalize_text("  Sở \t Tư\u00a0\u00a0pháp \n\n ") == "Sở Tư pháp"


def test_keep_newlines_keeps_one_break_per_paragraph() -> None:
    """With keep_newlines, paragraph breaks survive as single newlines."""
    cleaned, _ = clean_text(" Dòng một  \n\n\n  Dòng   hai \r\n", keep_newlines=True)
    assert cleaned == "Dòng một\nDòng hai"


def test_invisible_and_control_characters_are_removed() -> None:
    """Zero-width spaces, BOMs and control characters do not survive."""
    assert normalize_text("Sở\u200b Nội\ufeff vụ\x07") == "Sở Nội vụ"


@pytest.mark.parametrize(
    "mangled",
    [
        VIET.encode().decode("cp1252"),
        VIET.encode().decode("mac_roman"),
    ],
)
def test_mojibake_is_repaired_and_flagged(mangled: str) -> None:
    """UTF-8 read as cp1252 or MacRoman is repaired and flagged mojibake_repaired."""
    cleaned, flags = clean_text(mangled)
    assert cleaned == VIET
    assert flags == {Flag.MOJIBAKE_REPAIRED}


@pytest.mark.parametrize(
    "clean",
    [
        VIET,
        "NGÃ\u00a0BA Cây Quéo",
        "café crème, naïve Noël © 2026 ACME®",
        "Hà Nội – “áo dài” ‘truyền thống’…",
        "Straße für Jürgen, señor Muñoz",
        "10 µm ± 2 µg, ½ cup, 5×5",
    ],
)
def test_clean_text_is_left_alone(clean: str) -> None:
    """Ordinary Vietnamese, French, German, Spanish and English text is never 'repaired'."""
    cleaned, flags = clean_text(clean)
    assert cleaned == normalize_text(clean)
    assert flags == frozenset()
    assert repair_mojibake(clean) is None


def test_clean_text_never_calls_ftfy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheap pre-check keeps ftfy off clean strings (it is the slow part)."""

    def boom(text: str) -> str:
        raise AssertionError("ftfy called on clean text")

    import ftfy

    monkeypatch.setattr(ftfy, "fix_encoding", boom)
    clean_text(VIET + " – “Hà Nội” café")


def test_truncate_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    """A long text is cut at a space, ends with "…" and stays within the limit."""
    text = "Người dân có thể nộp hồ sơ trực tuyến " * 10
    cut = truncate_words(text.strip(), 50)
    assert len(cut) <= 50
    assert cut.endswith("…")
    assert text.startswith(cut[:-1])
    assert not cut[:-1].endswith(" ")


def test_truncate_leaves_short_text_alone() -> None:
    """Text within the limit is returned unchanged."""
    assert truncate_words("Ngắn gọn", 1000) == "Ngắn gọn"


@pytest.mark.parametrize(
    ("one", "two"),
    [
        (
            "Thông báo “Giải thưởng sáng tạo” năm 2026",
            'THÔNG BÁO "giải thưởng  sáng tạo" năm 2026!',
        ),
        ("Hội nghị - tổng kết", "Hội nghị – tổng kết"),
        ("Sở Tư pháp: thông báo", unicodedata.normalize("NFD", "sở tư pháp thông báo")),
        ("Đắk Lắk", "đắk lắk"),
    ],
)
def test_title_key_matches_copies_of_one_title(one: str, two: str) -> None:
    """Case, quotes, dashes, punctuation, spacing and NFD do not change the key."""
    assert title_key(one) == title_key(two)


def test_title_key_keeps_vietnamese_letters_and_is_readable() -> None:
    """The key is the folded text itself, diacritics kept (not a hash, not ASCII-fied)."""
    assert title_key("  Ủy ban nhân dân tỉnh Đắk Lắk: Thông báo! ") == (
        "ủy ban nhân dân tỉnh đắk lắk thông báo"
    )


def test_title_key_tells_different_tones_apart() -> None:
    """Titles differing only by tone marks are different titles."""
    assert title_key("Bảo vệ") != title_key("Bão về")
