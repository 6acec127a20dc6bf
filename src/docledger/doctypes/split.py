"""Package splitting: where does one document end and the next begin in a multi-document PDF?

Each page is typed on its own (rules, or the tenant's model) and scored for being the first page
of a document from four signals, all visible in OCR or text-layer text:

- page numbering: "Page 1 of 3" / "1 of 3" starts a document, "Page 2 of 3" continues one;
- a title of a known type at the top of the page (e.g. "Wage and Tax Statement");
- a change of predicted type from the previous page (both confident);
- the page header (first lines, digits folded): the same header as the previous page continues,
  a different one starts;
- the page size and shape: a scanned package mixes page sizes between documents, rarely within one.

A page with a positive score starts a new segment. Weights were set on generated packages
(bench/split_bench.py keeps a separate seed range as its test split).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from docledger.doctypes import rule_scores, rule_type, taxonomy

_PAGE_OF = re.compile(r"\bpage\s*(\d{1,3})\s*(?:of|/)\s*(\d{1,3})\b|\b(\d{1,3})\s+of\s+(\d{1,3})\b", re.I)
_PAGE_BARE = re.compile(r"\bpage\s+(\d{1,3})\s*$", re.I)
_PAGE_OF_FUZZY = re.compile(r"\b[Pp][A-Za-z0-9]{1,4}\s*(\d{1,3})\s*[A-Za-z0-9]{1,3}\s*(\d{1,3})\s*$")
_TOKEN = re.compile(r"[a-z]{3,}")

Predictor = Callable[[str], tuple[str, float]]


@dataclass
class PageSignal:
    page: int
    doc_type: str
    confidence: float
    page_no: int | None
    page_total: int | None
    title: bool
    header: frozenset[str]
    size: tuple[float, float] | None = None
    score: float = 0.0


@dataclass
class Segment:
    first_page: int
    last_page: int
    doc_type: str
    confidence: float

    @property
    def pages(self) -> list[int]:
        return list(range(self.first_page, self.last_page + 1))


def _page_number(text: str) -> tuple[int | None, int | None]:
    for m in _PAGE_OF.finditer(text):
        a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        no, total = int(a), int(b)
        if 1 <= no <= total <= 500:
            return no, total
    # OCR garbles the words more often than the digits: "Pqge 2 0f 3", "Page2 of3"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for line in lines[:6] + lines[-4:]:
        fuzzy = _PAGE_OF_FUZZY.search(line)
        if fuzzy:
            no, total = int(fuzzy.group(1)), int(fuzzy.group(2))
            if 1 <= no <= total <= 500:
                return no, total
    # a bare "Page 2" in a page's header or footer ("Form 1040 (2019) Page 2") continues a document
    for line in lines[:3] + lines[-2:]:
        bare = _PAGE_BARE.search(line)
        if bare and 2 <= int(bare.group(1)) <= 500:
            return int(bare.group(1)), None
    return None, None


def _header(text: str, lines: int = 4) -> frozenset[str]:
    head = [ln for ln in text.splitlines() if ln.strip()][:lines]
    return frozenset(_TOKEN.findall(" ".join(head).lower()))


def _has_title(text: str) -> bool:
    head = text[:400]
    return any(p.search(head) for r in taxonomy().types.values() for p in r.title)


def page_signals(
    texts: list[str], predictor: Predictor | None = None, sizes: list[tuple[float, float] | None] | None = None
) -> list[PageSignal]:
    predict = predictor or rule_type
    out = []
    for i, t in enumerate(texts, start=1):
        doc_type, conf = predict(t)
        no, total = _page_number(t)
        size = sizes[i - 1] if sizes and i - 1 < len(sizes) else None
        out.append(PageSignal(i, doc_type, conf, no, total, _has_title(t), _header(t), size))
    return out


def _size_change(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    """Pages of one scanned document share a size; a different size or shape is another document."""
    if not a or not b or min(a) <= 0 or min(b) <= 0:
        return False
    area = (a[0] * a[1]) / (b[0] * b[1])
    shape = (a[0] / a[1]) / (b[0] / b[1])
    return not (0.75 <= area <= 1.33) or not (0.87 <= shape <= 1.15)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def boundary_scores(sig: list[PageSignal]) -> list[float]:
    """Score per page (page 1 always starts); > 0 means the page starts a new document."""
    scores = [10.0]
    for prev, cur in zip(sig, sig[1:], strict=False):
        s = 0.0
        if cur.page_no is not None:
            s += 3.0 if cur.page_no == 1 else -3.0
            if prev.page_no is not None and prev.page_total is not None and cur.page_no != 1:
                s -= 1.0 if cur.page_no == prev.page_no + 1 else -1.0
        elif prev.page_no is not None and prev.page_total is not None and prev.page_no == prev.page_total:
            s += 1.0  # the previous document said it was complete
        if cur.title:
            s += 3.5
        if (
            cur.doc_type != prev.doc_type
            and min(cur.confidence, prev.confidence) >= 0.35
            and "other" not in (cur.doc_type, prev.doc_type)
        ):
            s += 1.5
        elif cur.doc_type == prev.doc_type and cur.doc_type != "other":
            s -= 0.5
        if _size_change(prev.size, cur.size):
            s += 1.5
        sim = _jaccard(cur.header, prev.header)
        if sim >= 0.6:
            s -= 1.5
        elif sim < 0.2:
            s += 0.5
        scores.append(s - 1.0)
    return scores


def segment(
    texts: list[str], predictor: Predictor | None = None, sizes: list[tuple[float, float] | None] | None = None
) -> list[Segment]:
    """Contiguous page ranges, one per detected document, each typed from its pages (``sizes``:
    each page's width and height in any one unit, when known)."""
    if not texts:
        return []
    sig = page_signals(texts, predictor, sizes)
    scores = boundary_scores(sig)
    starts = [i for i, s in enumerate(scores) if s > 0]
    segs = []
    for j, a in enumerate(starts):
        b = (starts[j + 1] if j + 1 < len(starts) else len(texts)) - 1
        doc_type, conf = _segment_type(texts[a : b + 1], predictor)
        segs.append(Segment(a + 1, b + 1, doc_type, conf))
    return segs


def _segment_type(texts: list[str], predictor: Predictor | None) -> tuple[str, float]:
    if predictor is not None:
        return predictor("\n".join(texts))
    joined = "\n".join(texts)
    scores = rule_scores(joined)
    if not scores:
        return "other", 0.3
    return rule_type(joined)


def boundaries(segs: list[Segment]) -> set[int]:
    """1-based pages that start a document (the unit of the page-level boundary F1)."""
    return {s.first_page for s in segs}
