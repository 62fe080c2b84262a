"""normalize.legacy: TCVN3 and VNI conversion, and the detection that keeps it off real text."""

from __future__ import annotations

import unicodedata

import pytest

from syndicator.ingest.normalize.legacy import (
    TCVN3_TO_UNICODE,
    VNI_TO_UNICODE,
    convert_tcvn3,
    convert_vni,
    legacy_converter,
)
from syndicator.ingest.normalize.text import clean_text
from syndicator.records import Flag


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("B¶o Th¾ng", "Bảo Thắng"),
        ("Xin chµo c¸c b¹n", "Xin chào các bạn"),
        ("T«i ®i häc", "Tôi đi học"),
        ("§µ N½ng", "Đà Nẵng"),
    ],
)
def test_tcvn3_text_is_converted(legacy: str, unicode: str) -> None:
    """TCVN3 (ABC) text shown through Latin-1 is detected and converted to Unicode."""
    assert legacy_converter(legacy) is convert_tcvn3
    assert convert_tcvn3(legacy) == unicode


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Toâi ñi hoïc", "Tôi đi học"),
        ("Ñaø Naüng", "Đà Nẵng"),
        ("Caùc Sôû, ban, ngaønh", "Các Sở, ban, ngành"),
        ("nöôùc maét", "nước mắt"),
    ],
)
def test_vni_text_is_converted(legacy: str, unicode: str) -> None:
    """VNI-Windows text shown through Latin-1 is detected and converted to Unicode."""
    assert legacy_converter(legacy) is convert_vni
    assert convert_vni(legacy) == unicode


@pytest.mark.parametrize(
    "text",
    [
        "Xin chào các bạn, hôm nay trời đẹp",
        "Hoà bình, thuý, quá khứ",
        "«Bonjour» «Salut» à Paris",
        "Noël à Paris, naïf et cætera",
        "Müller über Öl, Äpfel für Jürgen",
        "10 µm and 5 µg, ½ cup, ¼ mile, 5×5, § 12 ¶ 3",
        "Copyright © 2026 ACME® — all rights reserved",
        "col·lecció, l·lusió",
        "Th¾ng",
    ],
)
def test_ordinary_text_is_never_converted(text: str) -> None:
    """Unicode Vietnamese, French, German, Catalan, symbols and lone words are left alone."""
    assert legacy_converter(text) is None
    assert clean_text(text)[1] == frozenset()


def test_conversion_sets_the_legacy_flag() -> None:
    """clean_text converts legacy text and flags it legacy_encoding."""
    assert clean_text("HuyÖn B¶o Th¾ng tæ chøc héi nghÞ") == (
        "Huyện Bảo Thắng tổ chức hội nghị",
        frozenset({Flag.LEGACY_ENCODING}),
    )


def test_tables_cover_every_vietnamese_letter() -> None:
    """Both tables reach every toned or shaped Vietnamese vowel and đ (VNI writes í, ì as is)."""
    letters = {
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưy"
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    } | {"đ"}
    plain = set("aeiouy")
    assert letters - plain <= set(TCVN3_TO_UNICODE.values())
    vni = set(VNI_TO_UNICODE.values())
    assert letters - plain - {"í", "ì"} <= vni
    assert {c.upper() for c in letters - plain - {"í", "ì"}} <= vni
