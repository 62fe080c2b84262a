"""Vietnamese text typed in legacy font encodings (TCVN3/ABC, VNI-Windows), read as Latin-1.

Government documents made with .Vn* or VNI-* fonts still reach portals by copy and paste; the
bytes were never Unicode, so a browser shows "B¶o Th¾ng" (TCVN3) or "Xin chaøo" (VNI). Both
look like ordinary Latin-1 text, so conversion fires only when the converted words turn into
real Vietnamese syllables: French, German or English text never does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# TCVN3 (TCVN 5712:1993 VN3, the .Vn* fonts): one byte per letter, shown as the Latin-1 char.
TCVN3_TO_UNICODE: dict[str, str] = {
    "µ": "à",
    "¸": "á",
    "¶": "ả",
    "·": "ã",
    "¹": "ạ",
    "¨": "ă",
    "»": "ằ",
    "¾": "ắ",
    "¼": "ẳ",
    "½": "ẵ",
    "Æ": "ặ",
    "©": "â",
    "Ç": "ầ",
    "Ê": "ấ",
    "È": "ẩ",
    "É": "ẫ",
    "Ë": "ậ",
    "®": "đ",
    "Ì": "è",
    "Ð": "é",
    "Î": "ẻ",
    "Ï": "ẽ",
    "Ñ": "ẹ",
    "ª": "ê",
    "Ò": "ề",
    "Õ": "ế",
    "Ó": "ể",
    "Ô": "ễ",
    "Ö": "ệ",
    "×": "ì",
    "Ý": "í",
    "Ø": "ỉ",
    "Ü": "ĩ",
    "Þ": "ị",
    "ß": "ò",
    "ã": "ó",
    "á": "ỏ",
    "â": "õ",
    "ä": "ọ",
    "«": "ô",
    "å": "ồ",
    "è": "ố",
    "æ": "ổ",
    "ç": "ỗ",
    "é": "ộ",
    "¬": "ơ",
    "ê": "ờ",
    "í": "ớ",
    "ë": "ở",
    "ì": "ỡ",
    "î": "ợ",
    "ï": "ù",
    "ó": "ú",
    "ñ": "ủ",
    "ò": "ũ",
    "ô": "ụ",
    "\xad": "ư",
    "õ": "ừ",
    "ø": "ứ",
    "ö": "ử",
    "÷": "ữ",
    "ù": "ự",
    "ú": "ỳ",
    "ý": "ý",
    "û": "ỷ",
    "ü": "ỹ",
    "þ": "ỵ",
    "¡": "Ă",
    "¢": "Â",
    "§": "Đ",
    "£": "Ê",
    "¤": "Ô",
    "¥": "Ơ",
    "¦": "Ư",
}

# VNI-Windows (the VNI-* fonts): a base letter followed by a tone or shape byte.
# Columns: no tone, acute, grave, hook, tilde, dot below.
_VNI_ROWS: dict[str, tuple[str, ...]] = {
    "a": ("a", "aù", "aø", "aû", "aõ", "aï"),
    "â": ("aâ", "aá", "aà", "aå", "aã", "aä"),
    "ă": ("aê", "aé", "aè", "aú", "aü", "aë"),
    "e": ("e", "eù", "eø", "eû", "eõ", "eï"),
    "ê": ("eâ", "eá", "eà", "eå", "eã", "eä"),
    "o": ("o", "où", "oø", "oû", "oõ", "oï"),
    "ô": ("oâ", "oá", "oà", "oå", "oã", "oä"),
    "ơ": ("ô", "ôù", "ôø", "ôû", "ôõ", "ôï"),
    "u": ("u", "uù", "uø", "uû", "uõ", "uï"),
    "ư": ("ö", "öù", "öø", "öû", "öõ", "öï"),
    "i": ("i", "í", "ì", "æ", "ó", "ò"),
    "y": ("y", "yù", "yø", "yû", "yõ", "î"),
}
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _vni_table() -> dict[str, str]:
    table = {"ñ": "đ", "Ñ": "Đ"}
    for vowel, codes in _VNI_ROWS.items():
        for code, tone in zip(codes, _TONES, strict=True):
            letter = unicodedata.normalize("NFC", vowel + tone)
            if code != letter:
                table[code] = letter
                table[code.upper()] = letter.upper()
                table[code[0].upper() + code[1:]] = letter.upper()  # "Aên" = "Ăn"
    return table


VNI_TO_UNICODE: dict[str, str] = _vni_table()

# Letters only Unicode Vietnamese has (ă đ ĩ ũ ơ ư, U+1EA0-U+1EF9, combining tones): text that
# holds one is already Unicode, so neither legacy encoding can apply.
_MODERN = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1"
    "\u01af\u01b0\u1ea0-\u1ef9\u0300-\u0323]"
)
# Latin-1 symbols that TCVN3 uses for letters; a cheap gate before the real test.
_TCVN3_SIGNS = re.compile("[¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾×÷]")
# Bytes VNI uses as tone/shape marks that no Vietnamese, French or English word holds.
_VNI_SIGNS = re.compile("[øûïåäëüöñæîØÛÏÅÄËÜÖÑÆÎ]")
_VNI_CODE = re.compile("|".join(sorted(map(re.escape, VNI_TO_UNICODE), key=len, reverse=True)))
_TCVN3_TRANS = str.maketrans(TCVN3_TO_UNICODE)
# Words are runs between ASCII non-letters (TCVN3 letters include Latin-1 symbols).
_WORD_BREAK = re.compile(r"[\x00-\x40\x5b-\x60\x7b-\x7f\s]+")

_VOWELS = "".join(
    unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in _TONES
)
_SYLLABLE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    f"[{_VOWELS}]{{1,3}}(?:ch|ng|nh|[cmnpt])?"
)
_TONED = re.compile("[\u0300\u0301\u0303\u0309\u0323]")


def convert_tcvn3(text: str) -> str:
    """Read `text` as TCVN3 shown through Latin-1 and return it as Unicode."""
    return text.translate(_TCVN3_TRANS)


def convert_vni(text: str) -> str:
    """Read `text` as VNI-Windows shown through Latin-1 and return it as Unicode."""
    return _VNI_CODE.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text)


def legacy_converter(text: str) -> Callable[[str], str] | None:
    """The converter that unambiguously applies to `text`, or None (the usual case)."""
    if text.isascii() or _MODERN.search(text):
        return None
    if _TCVN3_SIGNS.search(text) and _converts_to_vietnamese(text, convert_tcvn3):
        return convert_tcvn3
    if _VNI_SIGNS.search(text) and _converts_to_vietnamese(text, convert_vni):
        return convert_vni
    return None


def _converts_to_vietnamese(text: str, convert: Callable[[str], str]) -> bool:
    """True when at least two words change and nearly all of them become Vietnamese syllables."""
    changed = valid = 0
    for word in _WORD_BREAK.split(text):
        if word.isascii():
            continue
        converted = convert(word)
        if converted == word:
            continue
        changed += 1
        valid += _is_syllable(converted)
    return changed >= 2 and valid >= 0.8 * changed


def _is_syllable(word: str) -> bool:
    word = word.lower()
    if not _SYLLABLE.fullmatch(word):
        return False
    return len(_TONED.findall(unicodedata.normalize("NFD", word))) <= 1
