"""Key-value pairs of forms: the learned linker by default, geometric rules as the fallback.

:func:`extract_forms` uses the learned linker (:mod:`docledger.ocr.linker`, a shipped model)
and falls back to the rules below when the model file cannot be read. The rules:

Words are grouped into lines and lines are cut into *segments* at wide gaps and after colons
(a segment is the unit a human sees as one label or one entry). Every segment may be a key; a
value is the nearest segment to its right on the same line or directly below it. Each candidate
pair is scored by cues:

* colon cue — the key ends with ":" (strongest);
* underline cue — a drawn rule starts right after the key (needs the page image);
* label shape — mostly letters, short, not itself a number;
* value shape — holds digits, is not itself key-like;
* position — right of the key beats below it; nearer beats farther.

Pairs are accepted greedily by score so a segment is used once. Values that continue on the
next lines (left-aligned paragraphs) are extended downward. ``extract_forms_from_words`` takes
any word list, which lets a benchmark feed ground-truth words and measure layout quality apart
from OCR quality.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import numpy as np
from PIL import Image

from docledger.ocr.types import (
    BBox,
    Line,
    PageOcr,
    Word,
    bbox_round,
    bbox_union,
    group_words_into_lines,
    h_overlap,
    v_overlap,
)

ACCEPT_SCORE = 0.3
# Gap (in line heights) that separates two entries on one line: measured on annotated forms, words
# of one entry are rarely more than ~0.9 heights apart, neighbouring entries usually are.
SEGMENT_GAP = 0.85
_ALPHA = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")


@dataclass
class FormField:
    key: str
    value: str
    confidence: float
    key_bbox: BBox
    value_bbox: BBox | None
    cues: list[str] = field(default_factory=list)
    method: str = "rules"  # "linker" (learned model) or "rules" (geometric cues)
    link_score: float | None = None  # the linker's raw score; ``confidence`` is its calibrated probability
    key_label: str | None = None
    value_label: str | None = None
    model: str | None = None  # name@version of the linker model

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "key_bbox": bbox_round(self.key_bbox),
            "value_bbox": bbox_round(self.value_bbox) if self.value_bbox else None,
            "method": self.method,
        }
        if self.method == "linker":
            out.update(
                link_score=round(self.link_score or 0.0, 4),
                key_label=self.key_label,
                value_label=self.value_label,
                model=self.model,
            )
        return out


@dataclass
class Segment:
    words: list[Word]
    line_index: int

    @property
    def bbox(self) -> BBox:
        return bbox_union(w.bbox for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def height(self) -> float:
        b = self.bbox
        return b[3] - b[1]

    @property
    def confidence(self) -> float:
        return sum(w.confidence for w in self.words) / len(self.words)


def _split_colon_words(words: Sequence[Word]) -> list[Word]:
    """Split "Date:12/03/98" into "Date:" and "12/03/98" (box shared by character count)."""
    out: list[Word] = []
    for w in words:
        m = re.match(r"^([A-Za-z][^:]{0,40}:)(\S.*)$", w.text)
        if m and not re.match(r"^\d{1,2}:\d{2}", m.group(2)) and "://" not in w.text:
            x0, y0, x1, y1 = w.bbox
            cut = x0 + (x1 - x0) * len(m.group(1)) / len(w.text)
            out.append(Word(m.group(1), (x0, y0, cut, y1), w.confidence))
            out.append(Word(m.group(2), (cut, y0, x1, y1), w.confidence))
        else:
            out.append(w)
    return out


def segment_lines(lines: Sequence[Line]) -> list[Segment]:
    """Cut lines into segments at gaps wider than ~1.2 line heights and after a trailing colon."""
    segments: list[Segment] = []
    for index, line in enumerate(lines):
        words = _split_colon_words(sorted(line.words, key=lambda w: w.bbox[0]))
        if not words:
            continue
        height = median(w.bbox[3] - w.bbox[1] for w in words)
        current = [words[0]]
        for prev, word in zip(words, words[1:], strict=False):
            gap = word.bbox[0] - prev.bbox[2]
            # a word ending in ":" closes a label whatever the gap (OCR word boxes are often tight)
            if gap > SEGMENT_GAP * height or prev.text.endswith(":"):
                segments.append(Segment(current, index))
                current = []
            current.append(word)
        segments.append(Segment(current, index))
    return segments


def _label_score(text: str) -> float:
    letters = len(_ALPHA.findall(text))
    if not letters:
        return -0.4
    digits = len(_DIGIT.findall(text))
    score = 0.1 if letters >= 2 * digits else -0.2
    n_words = len(text.split())
    if n_words > 7:
        score -= 0.25
    if text[:1].isupper():
        score += 0.05
    return score


def _value_score(seg: Segment) -> float:
    text = seg.text
    score = 0.0
    if _DIGIT.search(text):
        score += 0.15
    if text.endswith(":"):
        score -= 0.6
    if text.strip() in {"", ".", ",", "-", "_"}:
        score -= 1.0
    return score


def find_underlines(image: Image.Image) -> list[BBox]:
    """Horizontal rules (underlines, signature/entry lines) as thin boxes."""
    import cv2

    gray = np.asarray(image.convert("L"))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    length = max(20, image.width // 40)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[BBox] = []
    for c in contours:
        x, y, w, h = cv2.boundingRect(c)
        if h <= max(6, image.height // 200):
            out.append((float(x), float(y), float(x + w), float(y + h)))
    return out


def _pair_candidates(segments: list[Segment], underlines: list[BBox]) -> list[tuple[float, int, int, list[str]]]:
    heights = [s.height for s in segments]
    unit = median(heights) if heights else 10.0
    candidates: list[tuple[float, int, int, list[str]]] = []
    for i, key in enumerate(segments):
        kb = key.bbox
        label = _label_score(key.text)
        colon = key.text.endswith(":")
        underline = any(
            u[0] >= kb[2] - unit and u[0] - kb[2] < 3 * unit and abs(u[1] - kb[3]) < 0.8 * unit for u in underlines
        )
        right: tuple[float, int] | None = None
        below: tuple[float, int] | None = None
        for j, val in enumerate(segments):
            if j == i:
                continue
            vb = val.bbox
            if v_overlap(kb, vb) >= 0.4 and vb[0] >= kb[2] - 0.3 * unit:
                dist = vb[0] - kb[2]
                if dist < 40 * unit and (right is None or dist < right[0]):
                    right = (dist, j)
            elif vb[1] >= kb[3] - 0.3 * unit and (h_overlap(kb, vb) > 0.3 or abs(vb[0] - kb[0]) < 1.5 * unit):
                dist = vb[1] - kb[3]
                if dist < 2.5 * unit and (below is None or dist < below[0]):
                    below = (dist, j)
        for where, found in (("right", right), ("below", below)):
            if found is None:
                continue
            dist, j = found
            cues = [where]
            score = label + _value_score(segments[j])
            # Right of the key is the usual place; below counts as much only when nothing is right of it.
            score += 0.2 if where == "right" or right is None else 0.0
            score -= 0.02 * dist / unit
            if colon:
                score += 0.5
                cues.append("colon")
            if underline:
                score += 0.35
                cues.append("underline")
            if (
                where == "below"
                and not colon
                and _label_score(segments[j].text) > 0
                and not _DIGIT.search(segments[j].text)
            ):
                score -= 0.2  # two labels stacked is a list, not a key above its value
            candidates.append((score, i, j, cues))
    candidates.sort(key=lambda c: -c[0])
    return candidates


def _extend_value(segments: list[Segment], value: Segment, used: set[int], key_x1: float) -> list[Segment]:
    """Follow a value onto the next lines when they continue it as a left-aligned block."""
    block = [value]
    unit = value.height or 10.0
    current = value
    for _ in range(8):
        cb = current.bbox
        nxt = None
        for j, seg in enumerate(segments):
            sb = seg.bbox
            if j in used or seg.line_index <= current.line_index or seg.text.endswith(":"):
                continue
            if 0 <= sb[1] - cb[3] < 0.9 * unit and abs(sb[0] - value.bbox[0]) < 1.5 * unit:
                nxt = j
                break
        if nxt is None:
            break
        seg = segments[nxt]
        blocker = any(
            s.line_index == seg.line_index and s.bbox[2] <= seg.bbox[0] and s.bbox[0] < key_x1 for s in segments
        )
        if blocker:
            break
        used.add(nxt)
        block.append(seg)
        current = seg
    return block


def _column_values(segments: list[Segment], i: int, unit: float) -> list[int]:
    """Segments stacked under segment ``i`` as a table column (aligned with it, row after row)."""
    kb = segments[i].bbox
    out: list[int] = []
    bottom = kb[3]
    lines_seen = {segments[i].line_index}
    for j in sorted(range(len(segments)), key=lambda j: segments[j].bbox[1]):
        sb = segments[j].bbox
        if j == i or sb[1] < kb[3] - 0.3 * unit or segments[j].line_index in lines_seen:
            continue
        centre = (sb[0] + sb[2]) / 2
        if not (h_overlap(kb, sb) > 0.3 or kb[0] - unit <= centre <= kb[2] + unit):
            continue
        if sb[1] - bottom > 3.5 * unit or not _DIGIT.search(segments[j].text) or _label_score(segments[j].text) > 0:
            break
        out.append(j)
        lines_seen.add(segments[j].line_index)
        bottom = sb[3]
    return out


def _columns(segments: list[Segment], used: set[int], above: set[int]) -> list[FormField]:
    """Table-like grids: a header label over two or more numeric entries is the key of each of them.

    ``above`` holds keys already paired with the entry right below them: the rest of their column
    joins them.
    """
    unit = median(s.height for s in segments) if segments else 10.0
    fields: list[FormField] = []
    for i, head in enumerate(segments):
        if (i in used and i not in above) or _label_score(head.text) <= 0 or head.text.endswith(":"):
            continue
        below = [j for j in _column_values(segments, i, unit) if j not in used]
        if len(below) < (1 if i in above else 2):
            continue
        used.add(i)
        for j in below:
            used.add(j)
            value = segments[j]
            fields.append(
                FormField(
                    key=head.text,
                    value=value.text,
                    confidence=0.6 * min(head.confidence, value.confidence),
                    key_bbox=head.bbox,
                    value_bbox=value.bbox,
                    cues=["column"],
                )
            )
    return fields


def extract_forms_from_lines(lines: Sequence[Line], *, image: Image.Image | None = None) -> list[FormField]:
    """Key-value pairs from lines that carry word boxes (see the module docstring)."""
    segments = segment_lines(lines)
    underlines = find_underlines(image) if image is not None else []
    used: set[int] = set()
    above: set[int] = set()
    fields: list[FormField] = []
    for score, i, j, cues in _pair_candidates(segments, underlines):
        if score < ACCEPT_SCORE or i in used or j in used:
            continue
        used.update((i, j))
        if "below" in cues:
            above.add(i)
        key, value = segments[i], segments[j]
        block = _extend_value(segments, value, used, key.bbox[2]) if "right" in cues else [value]
        conf = max(0.05, min(1.0, 0.5 + score / 2)) * min(key.confidence, value.confidence)
        fields.append(
            FormField(
                key=key.text.rstrip(":").strip() or key.text,
                value=" ".join(s.text for s in block),
                confidence=conf,
                key_bbox=key.bbox,
                value_bbox=bbox_union(s.bbox for s in block),
                cues=cues,
            )
        )
    fields.extend(_columns(segments, used, above))
    for i, seg in enumerate(segments):
        if i not in used and seg.text.endswith(":") and _label_score(seg.text) > 0 and len(seg.text) > 2:
            fields.append(FormField(seg.text.rstrip(":").strip(), "", 0.5 * seg.confidence, seg.bbox, None, ["colon"]))
    fields.sort(key=lambda f: (f.key_bbox[1], f.key_bbox[0]))
    return fields


def extract_forms_learned(lines: Sequence[Line], *, width: float, height: float) -> list[FormField] | None:
    """Key-value pairs by the learned linker (:mod:`docledger.ocr.linker`); None when its model is missing."""
    from docledger.ocr import linker

    try:
        model = linker.load_model()
    except (OSError, ValueError, KeyError):
        return None
    reading = linker.read_form([ln for ln in lines if ln.words], width=width, height=height, model=model)
    nodes = reading.entities
    fields: list[FormField] = []
    keyed: set[int] = set()
    for link in reading.links:
        key, value = nodes[link.key], nodes[link.value]
        keyed.add(link.key)
        fields.append(
            FormField(
                key=key.text.rstrip(":").strip() or key.text,
                value=value.text,
                confidence=link.confidence,
                key_bbox=key.bbox,
                value_bbox=value.bbox,
                cues=["linker"],
                method="linker",
                link_score=link.score,
                key_label=key.label,
                value_label=value.label,
                model=reading.model,
            )
        )
    for i, node in enumerate(nodes):
        # a printed question left blank is still a field of the form (value empty)
        if i not in keyed and node.label == "question" and node.text.rstrip().endswith(":") and len(node.text) > 2:
            fields.append(
                FormField(
                    key=node.text.rstrip(":").strip(),
                    value="",
                    confidence=node.probs[0] * 0.5,
                    key_bbox=node.bbox,
                    value_bbox=None,
                    cues=["linker", "unanswered"],
                    method="linker",
                    link_score=0.0,
                    key_label="question",
                    value_label=None,
                    model=reading.model,
                )
            )
    fields.sort(key=lambda f: (f.key_bbox[1], f.key_bbox[0]))
    return fields


def _extent(lines: Sequence[Line]) -> tuple[float, float]:
    boxes = [ln.bbox for ln in lines]
    return (max((b[2] for b in boxes), default=1.0), max((b[3] for b in boxes), default=1.0))


def extract_forms_from_words(
    words: Sequence[Word], *, image: Image.Image | None = None, method: str = "auto"
) -> list[FormField]:
    """Key-value pairs from loose words (e.g. ground truth); words are grouped into lines first.

    ``method``: "linker" or "rules"; "auto" uses the learned linker when its model loads."""
    lines = group_words_into_lines(words)
    if method != "rules":
        width, height = image.size if image is not None else _extent(lines)
        learned = extract_forms_learned(lines, width=width, height=height)
        if learned is not None or method == "linker":
            return learned or []
    return extract_forms_from_lines(lines, image=image)


def extract_forms(page: PageOcr, image: Image.Image | None = None, *, method: str = "auto") -> list[FormField]:
    """Key-value pairs of an OCR'd page: the learned linker, or the geometric rules (``method="rules"``,
    or when the model file is missing); pass the page image to use underline cues in the rules."""
    lines = [ln for ln in page.lines if ln.words]
    if method != "rules":
        learned = extract_forms_learned(lines, width=page.width, height=page.height)
        if learned is not None or method == "linker":
            return learned or []
    return extract_forms_from_lines(lines, image=image)
