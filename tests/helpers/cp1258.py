"""Text in real Windows-1258 bytes, as Vietnamese Windows software stores it.

Windows-1258 has precomposed letters for some toned vowels (á, à, ê, ơ, ...) but keeps the other
tones as separate combining bytes (0xEC acute, 0xCC grave, 0xD2 hook, 0xDE tilde, 0xF2 dot), so
"Việt" is stored as "Viê" + dot-below + "t".
"""

from __future__ import annotations

import unicodedata

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(char: str) -> bytes:
    """One character in Windows-1258: precomposed when the code page has it, else base + tone."""
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        return base.encode("cp1258") + tones.encode("cp1258")
