"""Layouts and learned regions: where a corrected field sits on a repeated form.

- **Page words** come from the pipeline's page artifacts (``ocr-json``: image pixels with a
  confidence per word; ``page-json``: PDF points, confidence 1.0) and are normalised to 0..1 page
  coordinates, so one layout matches at any resolution.
- **Layout fingerprint**: the page's printed label words (letters only, not part of any extracted
  value), each with its position quantised on a 20 x 40 grid, stored as hashes. Values change from document to
  document; labels do not, so two documents of one form share most tokens. A page belongs to a
  known layout when the Jaccard similarity of the token sets is at least ``SAME_LAYOUT``.
- **Lesson**: when a reviewer corrects a field, the corrected value is looked up among the page
  words; its box is stored relative to the nearest label word above or to the left (the anchor),
  so a form printed a little shifted still reads right.
- **Reading**: with ``MIN_LESSONS`` agreeing lessons for (layout, doc type, field), the words
  inside the anchor-relative region of a new page of that layout are the value.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

GRID_X, GRID_Y = 20, 40
SAME_LAYOUT = 0.5
MIN_LESSONS = 3
_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def token(self) -> str:
        return _PUNCT.sub("", self.text.lower())


@dataclass
class PageWords:
    page: int
    width: float
    height: float
    words: list[Word]


def page_words_from_json(data: dict[str, Any], page: int) -> PageWords | None:
    """Words of one page artifact (ocr-json or page-json) in 0..1 coordinates, reading order."""
    w, h = data.get("width"), data.get("height")
    if not w or not h:
        return None
    words = []
    for it in data.get("words") or []:
        bb = it.get("bbox")
        text = str(it.get("text") or "").strip()
        if not text or not bb or len(bb) != 4:
            continue
        x0, y0, x1, y1 = (float(v) for v in bb)
        words.append(Word(text, x0 / w, y0 / h, x1 / w, y1 / h, float(it.get("confidence", 1.0))))
    return PageWords(page, float(w), float(h), reading_order(words))


def load_page_words(
    artifacts: Iterable[dict[str, Any]], read: Callable[[dict[str, Any]], bytes]
) -> dict[int, tuple[PageWords, dict[str, Any]]]:
    """{page: (words, the artifact they came from)}; OCR output wins over a text layer's page.json."""
    best: dict[int, dict[str, Any]] = {}
    rank = {"ocr-json": 2, "page-json": 1}
    for a in artifacts:
        if a["kind"] in rank and a["page"] is not None:
            cur = best.get(a["page"])
            if cur is None or (rank[a["kind"]], a["created_at"]) > (rank[cur["kind"]], cur["created_at"]):
                best[a["page"]] = a
    out = {}
    for page, art in best.items():
        pw = page_words_from_json(json.loads(read(art)), page)
        if pw is not None:
            out[page] = (pw, art)
    return out


def reading_order(words: list[Word]) -> list[Word]:
    """Top to bottom by line (words whose centres are within half a line height), then left to right."""
    ordered = sorted(words, key=lambda w: (w.cy, w.x0))
    lines: list[list[Word]] = []
    for w in ordered:
        if lines:
            last = lines[-1]
            ref = statistics.median(x.cy for x in last)
            height = max(1e-6, statistics.median(x.y1 - x.y0 for x in last))
            if abs(w.cy - ref) <= height / 2:
                last.append(w)
                continue
        lines.append([w])
    return [w for line in lines for w in sorted(line, key=lambda x: x.x0)]


def value_tokens(values: Iterable[Any]) -> set[str]:
    out: set[str] = set()
    for v in values:
        if v is None:
            continue
        for part in str(v).lower().split():
            tok = _PUNCT.sub("", part)
            if tok:
                out.add(tok)
    return out


def is_label(word: Word, values: set[str]) -> bool:
    tok = word.token
    return len(tok) >= 2 and tok.isalpha() and tok not in values


def label_keys(page: PageWords, values: set[str]) -> dict[int, str]:
    """{id(word): token@cell} for the page's label words, positions relative to the top-left label word
    (so a form printed or scanned shifted keeps its fingerprint)."""
    labels = [w for w in page.words if is_label(w, values)]
    if not labels:
        return {}
    ox, oy = min(w.x0 for w in labels), min(w.y0 for w in labels)
    return {id(w): _cell_key(w.token, int((w.cx - ox) * GRID_X), int((w.cy - oy) * GRID_Y)) for w in labels}


def _cell_key(token: str, col: int, row: int) -> str:
    """A stored fingerprint token: hashed, so a word mistaken for a label (a name) is not kept readable."""
    return hashlib.blake2s(f"{token}@{col}:{row}".encode(), digest_size=8).hexdigest()


def fingerprint(page: PageWords, values: set[str]) -> set[str]:
    return set(label_keys(page, values).values())


def stable_labels(page: PageWords, values: set[str], layout_tokens: set[str]) -> set[int]:
    """ids of the page's words that are labels of the layout (not values that happen to be words)."""
    return {i for i, k in label_keys(page, values).items() if k in layout_tokens}


def layout_id(tokens: set[str], *, tenant: str = "", doc_type: str = "") -> str:
    """Layouts are per tenant and document type: the same form in two tenants is two layouts."""
    key = "\n".join([tenant, doc_type, *sorted(tokens)])
    return "lay_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def match_layout(tokens: set[str], known: list[tuple[str, set[str]]]) -> str | None:
    """The known layout most similar to ``tokens`` (at least SAME_LAYOUT), else None."""
    best, best_sim = None, SAME_LAYOUT
    for lid, toks in known:
        sim = jaccard(tokens, toks)
        if sim >= best_sim:
            best, best_sim = lid, sim
    return best


def norm_value(value: str) -> str:
    return _ALNUM.sub("", value.lower())


def locate(value: str, page: PageWords, *, max_words: int = 16) -> list[Word] | None:
    """The consecutive words (reading order) that spell ``value`` (ignoring case, spaces, punctuation)."""
    target = norm_value(value)
    if not target:
        return None
    words = page.words
    for i in range(len(words)):
        acc = ""
        for j in range(i, min(len(words), i + max_words)):
            acc += norm_value(words[j].text)
            if acc == target:
                return words[i : j + 1]
            if not target.startswith(acc):
                break
    return None


def _box(words: list[Word]) -> tuple[float, float, float, float]:
    return min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words), max(w.y1 for w in words)


def lesson_for(value: str, page: PageWords, labels: set[int]) -> dict[str, Any] | None:
    """Where a corrected value sits, relative to its anchor label word; None when it is not on the page."""
    found = locate(value, page)
    if not found:
        return None
    x0, y0, x1, y1 = _box(found)
    inside = {id(w) for w in found}
    cands = [w for w in page.words if id(w) not in inside and id(w) in labels and w.x0 <= x1 and w.y0 <= y1 + 1e-9]
    if not cands:
        cands = [w for w in page.words if id(w) not in inside and id(w) in labels]
    if not cands:
        return None
    anchor = min(cands, key=lambda w: (w.x1 - x0) ** 2 + (w.cy - (y0 + y1) / 2) ** 2 * 4)
    ox, oy = _origin(page, labels)
    return {
        "page": page.page,
        "anchor": anchor.token,
        "ax": anchor.x0,
        "ay": anchor.y0,
        "dx0": x0 - anchor.x0,
        "dy0": y0 - anchor.y0,
        "dx1": x1 - anchor.x0,
        "dy1": y1 - anchor.y0,
        "ox": ox,
        "oy": oy,
    }


def _origin(page: PageWords, labels: set[int]) -> tuple[float, float]:
    """The top-left corner of the layout's label words on this page (the fallback anchor)."""
    words = [w for w in page.words if id(w) in labels]
    return (min(w.x0 for w in words), min(w.y0 for w in words)) if words else (0.0, 0.0)


def _frame(ls: dict[str, Any]) -> tuple[float, float, float, float]:
    """A lesson's region relative to the label origin of its page (comparable across anchors)."""
    ox, oy = ls.get("ox", 0.0), ls.get("oy", 0.0)
    return (ls["ax"] + ls["dx0"] - ox, ls["ay"] + ls["dy0"] - oy, ls["ax"] + ls["dx1"] - ox, ls["ay"] + ls["dy1"] - oy)


def _agreeing(lessons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lessons whose regions agree (within 3 % of the width, 1.5 % of the height) with the median one."""
    frames = [_frame(ls) for ls in lessons]
    mx, my = statistics.median(f[0] for f in frames), statistics.median(f[1] for f in frames)
    return [ls for ls, f in zip(lessons, frames, strict=True) if abs(f[0] - mx) < 0.03 and abs(f[1] - my) < 0.015]


@dataclass
class Reading:
    value: str
    confidence: float
    page: int
    bbox: list[float]  # in the page's own units (pixels or points), like the extractor's boxes
    lessons: int
    agreement: float


def read_learned(lessons: list[dict[str, Any]], page: PageWords, labels: set[int]) -> Reading | None:
    """Read a field from the learned region of this page, or None when the lessons do not agree enough."""
    if len(lessons) < MIN_LESSONS:
        return None
    agreeing = _agreeing(lessons)
    if len(agreeing) < MIN_LESSONS:
        return None
    agreement = len(agreeing) / len(lessons)
    anchor, _ = Counter(ls["anchor"] for ls in agreeing).most_common(1)[0]
    group = [ls for ls in agreeing if ls["anchor"] == anchor]
    ax, ay = statistics.median(ls["ax"] for ls in group), statistics.median(ls["ay"] for ls in group)
    # the anchor word; OCR may glue it to its neighbour ("Personnelreference"), which keeps its left edge
    anchors = (
        [w for w in page.words if w.token == anchor and id(w) in labels]
        or [w for w in page.words if w.token == anchor]
        or [w for w in page.words if w.token.startswith(anchor) and len(w.token) > len(anchor)]
    )
    a: Word | None = None
    if anchors:
        a = min(anchors, key=lambda w: (w.x0 - ax) ** 2 + (w.y0 - ay) ** 2)
        rx0 = a.x0 + statistics.median(ls["dx0"] for ls in group)
        ry0 = a.y0 + statistics.median(ls["dy0"] for ls in group)
        rx1 = a.x0 + max(ls["dx1"] for ls in group)
        ry1 = a.y0 + max(ls["dy1"] for ls in group)
    elif labels:
        # no anchor word (misread by OCR): place the region from the layout's label origin instead
        ox, oy = _origin(page, labels)
        rx0 = ox + statistics.median(_frame(ls)[0] for ls in agreeing)
        ry0 = oy + statistics.median(_frame(ls)[1] for ls in agreeing)
        rx1 = ox + max(_frame(ls)[2] for ls in agreeing)
        ry1 = oy + max(_frame(ls)[3] for ls in agreeing)
    else:
        return None
    line = max(1e-3, statistics.median(ls["dy1"] - ls["dy0"] for ls in agreeing))
    slack = 0.35 * line
    picked = [
        w
        for w in page.words
        if w is not a and id(w) not in labels and ry0 - slack <= w.cy <= ry1 + slack and rx0 - 0.01 <= w.x0 <= rx1
    ]
    if not picked:
        return None
    # a longer value than any seen runs on to the right: take the words that continue its last line
    last = picked[-1]
    for w in page.words:
        if w in picked or id(w) in labels or abs(w.cy - last.cy) > slack or w.x0 < last.x1:
            continue
        if w.x0 - last.x1 <= 2.5 * line:
            picked.append(w)
            last = w
    picked = reading_order(picked)
    conf = statistics.fmean(w.conf for w in picked) * agreement
    x0, y0, x1, y1 = _box(picked)
    bbox = [
        round(x0 * page.width, 2),
        round(y0 * page.height, 2),
        round(x1 * page.width, 2),
        round(y1 * page.height, 2),
    ]
    return Reading(" ".join(w.text for w in picked), round(conf, 4), page.page, bbox, len(lessons), agreement)
