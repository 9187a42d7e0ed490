"""Parse XML from the outside world (GPX, TCX) without its known traps.

The parser never expands entities, never loads a DTD and never touches the
network, and libxml2's size limits stay on (``huge_tree=False``). A document
that declares any entity is refused outright: GPX and TCX never need one, and
a declaration is how the "billion laughs" bomb and external-entity file reads
(``<!ENTITY x SYSTEM "file:///etc/passwd">``) start.
"""

from __future__ import annotations

import re

from lxml import etree

from loadwatch.errors import ActivityFileError

_REFUSED = "refused: XML entities are declared (a possible XML bomb or file read)"


def _declares_entities(data: bytes) -> bool:
    """A cheap look at the raw bytes, before libxml2 sees them.

    An entity used inside an attribute value is expanded even with
    ``resolve_entities=False``; libxml2's amplification limit stops a bomb,
    but only after work and with a confusing message. The check after parsing
    (the DTD's entity list) still covers encodings this byte search misses.
    """
    doctype = data.find(b"<!DOCTYPE")
    return doctype >= 0 and data.find(b"<!ENTITY", doctype) >= 0


def _parser(encoding: str | None = None) -> etree.XMLParser:
    return xml_parser(encoding=encoding)


def xml_parser(*, encoding: str | None = None, target: object = None) -> etree.XMLParser:
    """A parser with the safe options above (``target``: lxml's parser-target interface).

    A new parser per call: lxml parsers are not safe to share between threads.
    """
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding=encoding,
    )


_UNDECLARED = re.compile(r"Namespace prefix ([A-Za-z_][\w.\-]*) (?:on|for) ")
#: Namespace given to prefixes a file uses without declaring them.
UNDECLARED_NS = "urn:loadwatch:undeclared:"


def _strip_before_declaration(data: bytes, notes: list[str]) -> bytes:
    """Drop blanks and byte-order marks in front of ``<?xml`` (XML allows neither there)."""
    lead = len(data) - len(data.lstrip(b" \t\r\n\xef\xbb\xbf"))
    if lead == 0 or not data[lead:].startswith(b"<?xml"):
        return data
    skipped = data[:lead]
    if skipped == b"\xef\xbb\xbf":  # a lone BOM at the very start is allowed
        return data
    notes.append(
        f"{lead} stray byte(s) (blanks or a byte-order mark) before the XML declaration "
        "were ignored"
    )
    return data[lead:]


def _parse_declaring_prefixes(data: bytes, notes: list[str]) -> etree._Element:
    """Parse; a document using namespace prefixes it never declares (Strava's
    ``gpxdata:``) is parsed again with those prefixes declared on the root."""
    parser = _parser()
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        # this parser's own log: the exception's may carry other documents' errors
        log = parser.error_log
        prefixes = sorted(
            {m.group(1) for entry in log for m in [_UNDECLARED.search(entry.message)] if m}
        )
        # inserting ASCII is only safe in an ASCII-compatible encoding
        ascii_compatible = b"\x00" not in data[:64]
        fixed = _declare(data, prefixes) if prefixes and ascii_compatible else None
        if fixed is None:
            raise
        root = etree.fromstring(fixed, _parser())
        listed = ", ".join(f"{p}:" for p in prefixes)
        notes.append(f"namespace prefix {listed} used without a declaration; read anyway")
        return root


def _declare(data: bytes, prefixes: list[str]) -> bytes | None:
    """``data`` with ``xmlns:PREFIX`` declarations added to the root's start tag."""
    at = 0
    while True:
        at = data.find(b"<", at)
        if at < 0 or at + 1 >= len(data):
            return None
        if data[at + 1 : at + 2] not in (b"?", b"!"):
            break
        at += 1
    end = at + 1
    while end < len(data) and data[end : end + 1] not in b" \t\r\n/>":
        end += 1
    decls = "".join(f' xmlns:{p}="{UNDECLARED_NS}{p}"' for p in prefixes).encode("ascii")
    return data[:end] + decls + data[end:]


def parse_xml(data: bytes, name: str) -> tuple[etree._Element, list[str]]:
    """Parse ``data`` safely; return the root element and notes about the reading.

    Raises :class:`ActivityFileError` for malformed XML and for any document
    that declares entities. Two faults seen in real exports are read anyway,
    each with a note: blanks or a byte-order mark before the XML declaration,
    and namespace prefixes used without a declaration. Text that claims to be
    UTF-8 but is not (old Windows tools wrote Latin-1 without saying so) is
    read again as Latin-1, with a note, rather than losing the whole activity
    over an accented name.
    """
    notes: list[str] = []
    if _declares_entities(data):
        raise ActivityFileError(name, _REFUSED)
    data = _strip_before_declaration(data, notes)
    try:
        root = _parse_declaring_prefixes(data, notes)
    except etree.XMLSyntaxError as e:
        message = str(e)
        if "entit" in message.lower():  # libxml2's own amplification guard fired
            raise ActivityFileError(name, f"{_REFUSED} ({message})") from e
        if "UTF-8" not in message and "encoding" not in message:
            raise ActivityFileError(name, f"not well-formed XML ({message})") from e
        try:
            root = etree.fromstring(data, _parser("ISO-8859-1"))
        except etree.XMLSyntaxError as e2:
            raise ActivityFileError(name, f"not well-formed XML ({message})") from e2
        notes.append("the text was not valid UTF-8 and was read as Latin-1")
    if root is None:
        raise ActivityFileError(name, "the XML document is empty")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ActivityFileError(name, _REFUSED)
    return root, notes


def local_name(tag: object) -> str:
    """``{namespace}trkpt`` -> ``trkpt``; comments and other non-elements -> ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    """``{namespace}gpx`` -> ``{namespace}``; ``gpx`` -> ``""`` (a prefix to build tags)."""
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""
