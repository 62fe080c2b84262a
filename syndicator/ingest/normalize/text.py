"""Plain text: NFC, legacy encodings, mojibake, whitespace; and the title fingerprint for dedup."""

from __future__ import annotations

import re
import unicodedata

from syndicator.ingest.normalize.legacy import legacy_converter
from syndicator.records import Flag

NO_FLAGS: frozenset[Flag] = frozenset()

# Invisible characters that only break comparisons. U+00AD (soft hyphen) stays: it is TCVN3's
# "ư", and the legacy check must see it; title_key drops it.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_KEY_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")  # control characters count as spaces
_LINE_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r" ?\n[\s]*")
_NOT_WORD = re.compile(r"[\W_]+")


def _mojibake_signature() -> re.Pattern[str]:
    """UTF-8 lead + continuation bytes as cp1252 or MacRoman shows them ("Ã¡", "áº¿", "√°")."""

    def shown(codec: str, lo: int, hi: int, skip: bytes = b"") -> str:
        raw = bytes(b for b in range(lo, hi + 1) if b not in skip)
        return re.escape(raw.decode(codec, errors="replace").replace("\ufffd", ""))

    # NBSP is left out: "NGÃ\xa0BA" is real text more often than a mangled "à".
    cont = shown("cp1252", 0x80, 0xBF, b"\xa0") + "\x81\x8d\x8f\x90\x9d"
    mac_cont = shown("mac_roman", 0x80, 0xBF)
    return re.compile(
        f"[{shown('cp1252', 0xC2, 0xDF)}][{cont}]|[{shown('cp1252', 0xE0, 0xEF)}][{cont}]{{2}}"
        # MacRoman leads that are maths symbols, never found before a letter in real text.
        f"|[¬√ƒ≈∆][{mac_cont}]|[·‚][{mac_cont}]{{2}}"  # noqa: RUF001
    )


_MOJIBAKE = _mojibake_signature()
# Every signature above holds one of these; one character-class scan rules most text out.
_MOJIBAKE_GATE = re.compile(
    "["
    + re.escape(bytes(range(0x80, 0xC0)).replace(b"\xa0", b"").decode("cp1252", "ignore"))
    + "\x81\x8d\x8f\x90\x9d¬√ƒ≈∆·‚]"  # noqa: RUF001
)


def repair_mojibake(text: str) -> str | None:
    """UTF-8 that was read as cp1252 or MacRoman, repaired; None when there is nothing to do."""
    if not _MOJIBAKE_GATE.search(text) or not _MOJIBAKE.search(text):
        return None
    before = len(_MOJIBAKE.findall(text))
    import ftfy  # loaded on the first suspect string: most feeds never need it

    fixed = ftfy.fix_encoding(text)
    # Keep ftfy's answer only when it removed mojibake rather than moved it around.
    return fixed if len(_MOJIBAKE.findall(fixed)) < before else None


def repair_encoding(text: str) -> tuple[str, frozenset[Flag]]:
    """Undo mojibake or a legacy Vietnamese encoding when the signature is unambiguous."""
    if text.isascii():
        return text, NO_FLAGS
    repaired = repair_mojibake(text)
    if repaired is not None:
        return repaired, frozenset({Flag.MOJIBAKE_REPAIRED})
    convert = legacy_converter(text)
    if convert is not None:
        return convert(text), frozenset({Flag.LEGACY_ENCODING})
    return text, NO_FLAGS


def tidy(text: str, *, keep_newlines: bool = False) -> str:
    """NFC, no control or invisible characters, whitespace collapsed (one newline per break)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    if not keep_newlines:
        return _SPACES.sub(" ", text).strip()
    text = _LINE_SPACES.sub(" ", _CONTROL.sub(" ", text).replace("\r", "\n"))
    return _LINE_BREAKS.sub("\n", text).strip()


def clean_text(text: str, *, keep_newlines: bool = False) -> tuple[str, frozenset[Flag]]:
    """Normalize one ingested string and say which repairs were needed."""
    text = tidy(text, keep_newlines=keep_newlines)
    text, flags = repair_encoding(text)
    if flags:
        text = tidy(text, keep_newlines=keep_newlines)
    return text, flags


def normalize_text(text: str) -> str:
    """`clean_text` without the flags: NFC, repaired, whitespace collapsed."""
    return clean_text(text)[0]


def truncate_words(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters at a word boundary, marking the cut with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", 0, limit - 1)
    newline = cut.rfind("\n", 0, limit - 1)
    boundary = max(space, newline)
    if boundary > limit // 2:
        cut = cut[:boundary]
    return cut.rstrip(" \n,;:.-–—") + "…"  # noqa: RUF001


def title_key(title: str) -> str:
    """A fingerprint for "same title": NFC, casefolded, punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFC", _KEY_INVISIBLE.sub("", title)).casefold()
    text = unicodedata.normalize("NFC", text)
    return _NOT_WORD.sub(" ", text).strip()


def fold(text: str) -> str:
    """The form words are compared in: NFC, case folded."""
    return unicodedata.normalize("NFC", text).casefold()


def phrase_pattern(phrase: str) -> str:
    """A regex body matching `phrase` (folded) with any run of white space between its words;
    wrap it in (?<!\\w)…(?!\\w) for whole words (\\w covers Vietnamese letters)."""
    return r"\s+".join(re.escape(part) for part in fold(phrase).split())
