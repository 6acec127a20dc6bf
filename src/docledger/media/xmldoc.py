"""Safe XML reading for the XML pipeline (invoices, HL7/CDA-like clinical records).

XML from outside is hostile until proven otherwise: entity declarations allow
"billion laughs" expansion and external entities can read local files. defusedxml
refuses both; such a document fails with ``corrupt_file`` and a message saying why,
rather than being half-read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from docledger.exceptions import UnprocessableDocument
from docledger.media import errors

#: Deeper nesting than this is an attack or a generator bug, never a business document,
#: and element paths would grow quadratically with depth.
MAX_DEPTH = 256


@dataclass
class XmlContent:
    """The text of an XML document, and where each piece of it sits.

    ``text`` has one text node per line, in document order. ``element_paths`` lists the
    elements that directly hold text, as ``{"path": "/invoice/line[2]/amount[1]", "text": ...}``
    with namespace prefixes stripped and 1-based positions among same-named siblings.
    """

    root_tag: str
    root_namespace: str | None
    text: str
    element_paths: list[dict[str, Any]] = field(default_factory=list)


def read_xml(data: bytes) -> XmlContent:
    """Parse ``data`` without expanding entities or fetching anything.

    Raises ``UnprocessableDocument`` code ``corrupt_file`` for malformed XML and for
    documents that declare entities or reference external resources.
    """
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnprocessableDocument(
            f"The XML declares entities or external references ({type(exc).__name__}), "
            "which docledger refuses because they can expand to huge sizes or read local files.",
            code=errors.CORRUPT_FILE,
            hint="Re-submit the XML without a DTD that declares entities (the data itself needs none).",
        ) from None
    except ParseError as exc:
        raise errors.corrupt_file("XML", str(exc)) from None
    namespace, root_tag = _split(root.tag)
    lines: list[str] = []
    paths: list[dict[str, Any]] = []
    _walk(root, f"/{root_tag}", lines, paths)
    return XmlContent(root_tag=root_tag, root_namespace=namespace, text="\n".join(lines), element_paths=paths)


def _split(tag: object) -> tuple[str | None, str]:
    """``{urn:hl7-org:v3}ClinicalDocument`` -> (``urn:hl7-org:v3``, ``ClinicalDocument``)."""
    if not isinstance(tag, str):  # comments and processing instructions
        return None, ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag.split(":")[-1]


def _walk(root: Element, root_path: str, lines: list[str], paths: list[dict[str, Any]]) -> None:
    """Depth-first, iteratively (deeply nested documents must not hit the recursion limit).

    An element's own text is its ``.text`` plus the ``.tail`` of its children (mixed
    content); each tail is emitted after the child it follows, to keep document order.
    """
    # Stack items: ("open", element, (path, depth)) or ("tail", text, owner_index)
    stack: list[tuple[str, Any, Any]] = [("open", root, (root_path, 1))]
    while stack:
        kind, item, extra = stack.pop()
        if kind == "tail":
            text = item.strip()
            if text:
                lines.append(text)
                paths[extra]["text"] = f"{paths[extra]['text']} {text}".strip()
            continue
        element: Element = item
        path, depth = extra
        if depth > MAX_DEPTH:
            raise errors.corrupt_file("XML", f"elements are nested deeper than {MAX_DEPTH} levels")
        own = (element.text or "").strip()
        owner = len(paths)
        paths.append({"path": path, "text": own})
        if own:
            lines.append(own)
        counts: dict[str, int] = {}
        children: list[tuple[str, Any, Any]] = []
        for child in element:
            _, name = _split(child.tag)
            if name:
                counts[name] = counts.get(name, 0) + 1
                children.append(("open", child, (f"{path}/{name}[{counts[name]}]", depth + 1)))
            if child.tail and child.tail.strip():
                children.append(("tail", child.tail, owner))
        stack.extend(reversed(children))
    paths[:] = [p for p in paths if p["text"]]
