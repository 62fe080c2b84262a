"""Refuse XML whose DOCTYPE declares dangerous entities, before any XML parser sees it.

Expat (2.4+) stops a billion-laughs document only after it has spent seconds and tens of
megabytes; a one-line internal subset also slips past feedparser's own entity filter, which
only looks at declarations that start a line. So the internal subset is read here, by hand,
in linear time: external general entities and inline parameter entities are refused outright,
and the text that internal entities would expand to is added up before anything expands.
Attribute defaults (`<!ATTLIST p z CDATA "&a;&a;">`) count too: the parser adds them, expanded,
to every element of that name, so a short document can otherwise ask for gigabytes.
External parameter entities (an old way to import the XHTML entity sets) are let through:
the SAX parser feedparser uses never loads any external entity.
A few small entities (`<!ENTITY id "tag:example.com,">`) stay legal.
"""

from __future__ import annotations

import re
from typing import NoReturn

from syndicator.errors import HostileFeed

MAX_ENTITIES = 64
MAX_ATTRIBUTE_LISTS = 64
MAX_EXPANSION = 1_000_000  # characters that entity references and attribute defaults may add

_PROLOG_SKIP = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.IGNORECASE)
# Inside "<!DOCTYPE ...": quoted strings are skipped, so "[" or ">" in them do not count.
_DOCTYPE_HEAD = re.compile(rb"""(?:[^\[>"']|"[^"]*"|'[^']*')*""")
_SUBSET_TOKEN = re.compile(
    rb"""\s+|<!--.*?-->|<\?.*?\?>|<!(?:[^>"']|"[^"]*"|'[^']*')*>|%[^;\s]*;?|\]""",
    re.DOTALL,
)
_ENTITY = re.compile(
    rb"""<!ENTITY\s+(?P<param>%\s+)?(?P<name>[^\s"'%>]+)\s+"""
    rb"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<external>SYSTEM|PUBLIC)\b)""",
)
_REFERENCE = re.compile(rb"&([^#\s&;][^\s&;]*);")
_ATTLIST = re.compile(
    rb"""<!ATTLIST\s+(?P<element>[^\s>"']+)(?P<body>(?:[^>"']|"[^"]*"|'[^']*')*)>"""
)
_QUOTED = re.compile(rb""""([^"]*)"|'([^']*)'""")
_AFTER_NAME = (b" ", b"\t", b"\r", b"\n", b"/", b">")  # what may follow a start tag's name
_PARAMETER_REFERENCE = re.compile(rb"%([^\s%;\"'<>]+);")


def check_doctype(data: bytes) -> None:
    """Raise HostileFeed when `data` (UTF-8 XML) declares entities that are unsafe to expand."""
    subset = _internal_subset(data)
    if subset is None:
        return
    values = _entity_values(subset)
    _check_parameter_references(subset)
    sizes = _expanded_sizes(values)
    total = sum(sizes[name] * data.count(b"&" + name + b";") for name in values)
    total += _attribute_default_size(subset, data, values, sizes)
    if total > MAX_EXPANSION:
        _refuse(f"entities and attribute defaults would expand to about {total:,} characters")


def _refuse(why: str) -> NoReturn:
    raise HostileFeed("hostile_xml", f"refused XML entity declarations: {why}")


def _internal_subset(data: bytes) -> bytes | None:
    """The text between "[" and "]" of a DOCTYPE in the prolog, or None when there is none."""
    pos = 0
    while match := _PROLOG_SKIP.match(data, pos):
        pos = match.end()
    if data.startswith(b"\xef\xbb\xbf", pos):
        return _internal_subset(data[pos + 3 :])
    doctype = _DOCTYPE.match(data, pos)
    if doctype is None:
        return None
    head = _DOCTYPE_HEAD.match(data, doctype.end())
    end = head.end() if head else doctype.end()
    if data[end : end + 1] != b"[":
        return None
    return _subset_body(data, end + 1)


def _subset_body(data: bytes, start: int) -> bytes:
    pos = start
    while pos < len(data):
        token = _SUBSET_TOKEN.match(data, pos)
        if token is None:
            _refuse("the DOCTYPE internal subset cannot be read")
        if token.group() == b"]":
            return data[start:pos]
        pos = token.end()
    return data[start:]  # unterminated: the parser will fail, but check what is there


def _entity_values(subset: bytes) -> dict[bytes, bytes]:
    declared = subset.count(b"<!ENTITY")
    if declared > MAX_ENTITIES:
        _refuse(f"{declared} entity declarations")
    values: dict[bytes, bytes] = {}
    readable = 0
    for match in _ENTITY.finditer(subset):
        readable += 1
        name = match["name"].decode("utf-8", "replace")
        if match["param"]:
            if not match["external"]:
                _refuse(f"parameter entity {name!r} with inline text")
        elif match["external"]:
            _refuse(f"external entity {name!r}")
        else:
            values[match["name"]] = match["dq"] if match["dq"] is not None else match["sq"]
    if readable != declared:
        _refuse("an entity declaration that cannot be read")
    return values


def _check_parameter_references(subset: bytes) -> None:
    """A %name; may only name an external parameter entity, which is never loaded."""
    external = {m["name"] for m in _ENTITY.finditer(subset) if m["param"] and m["external"]}
    for name in _PARAMETER_REFERENCE.findall(subset):
        if name not in external:
            _refuse(f"parameter entity reference %{name.decode('utf-8', 'replace')};")


def _expanded_sizes(values: dict[bytes, bytes]) -> dict[bytes, int]:
    """How many characters each entity expands to, refusing cycles and huge results."""
    sizes: dict[bytes, int] = {}
    for name in values:
        _size_of(name, values, sizes, ())
    return sizes


def _size_of(
    name: bytes, values: dict[bytes, bytes], sizes: dict[bytes, int], chain: tuple[bytes, ...]
) -> int:
    if name in sizes:
        return sizes[name]
    if name in chain:
        _refuse(f"entity {name.decode('utf-8', 'replace')!r} refers to itself")
    value = values.get(name)
    if value is None:
        return 0  # predefined (&lt;) or undefined: the parser handles it
    size = _text_size(value, values, sizes, (*chain, name))
    if size > MAX_EXPANSION:
        _refuse(f"entity {name.decode('utf-8', 'replace')!r} expands past {MAX_EXPANSION:,}")
    sizes[name] = size
    return size


def _text_size(
    text: bytes, values: dict[bytes, bytes], sizes: dict[bytes, int], chain: tuple[bytes, ...]
) -> int:
    """Characters `text` becomes once its entity references are expanded."""
    size = len(text)
    for ref in _REFERENCE.findall(text):
        size += _size_of(ref, values, sizes, chain)
        if size > MAX_EXPANSION:
            break  # the caller refuses; adding up the rest would only take longer
    return size


def _attribute_default_size(
    subset: bytes, data: bytes, values: dict[bytes, bytes], sizes: dict[bytes, int]
) -> int:
    """Characters the attribute defaults add: each default, expanded, once per element."""
    declarations = _ATTLIST.findall(subset)
    if len(declarations) != subset.count(b"<!ATTLIST"):
        _refuse("an attribute list declaration that cannot be read")
    if len(declarations) > MAX_ATTRIBUTE_LISTS:  # each costs a pass over the document
        _refuse(f"{len(declarations)} attribute list declarations")
    per_element: dict[bytes, int] = {}
    for element, body in declarations:
        for double, single in _QUOTED.findall(body):
            size = _text_size(double or single, values, sizes, ())
            per_element[element] = per_element.get(element, 0) + size
    return sum(size * _start_tags(element, data) for element, size in per_element.items() if size)


def _start_tags(element: bytes, data: bytes) -> int:
    return sum(data.count(b"<" + element + after) for after in _AFTER_NAME)
