"""Features of the learned key-value linker: one function per model, shared by training and run time.

Three small models read a page's text segments (see :mod:`docledger.ocr.linker`):

* ``merge`` — do two neighbouring segments belong to one entity (a label split by a gap, an
  answer running onto the next line)?
* ``label`` — is an entity a question, an answer, a header or other text?
* ``link`` — is entity *a* the answer of question *q*?

All distances are in units of the page's median text height, so features do not depend on the
scan resolution. Features are plain floats; the names are stored in the model file, and the
model refuses a feature vector of another length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from docledger.ocr.types import BBox, Word, bbox_union, h_overlap, v_overlap

_DIGIT = re.compile(r"\d")
_ALPHA = re.compile(r"[A-Za-z]")
_DATEISH = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")
_MONEY = re.compile(r"[$€£]|\d+[.,]\d{2}\b")
_KEYWORDS = re.compile(
    r"\b(date|name|no\.?|number|to|from|re|subject|address|phone|fax|tel|signature|title|company|total|"
    r"amount|city|state|zip|brand|code|type|page|by|cc|attn|dept|department|account|period)\b",
    re.IGNORECASE,
)


@dataclass
class Node:
    """A segment or an entity: words, box and the index of the text line(s) it sits on."""

    words: list[Word]
    lines: list[int]
    label: str = "other"
    probs: list[float] = field(default_factory=lambda: [0.25, 0.25, 0.25, 0.25])

    @cached_property
    def bbox(self) -> BBox:
        return bbox_union(w.bbox for w in self.words)

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def confidence(self) -> float:
        return float(min(w.confidence for w in self.words)) if self.words else 0.0


def text_features(text: str) -> list[float]:
    n = max(1, len(text))
    letters = len(_ALPHA.findall(text))
    digits = len(_DIGIT.findall(text))
    upper = sum(1 for c in text if c.isupper())
    words = text.split()
    stripped = text.rstrip()
    return [
        float(len(text)),
        float(len(words)),
        letters / n,
        digits / n,
        upper / max(1, letters),
        float(stripped.endswith(":")),
        float(":" in stripped[:-1]),
        float(stripped.endswith((".", ";", ","))),
        float(stripped.endswith("?")),
        float(text[:1].isupper()),
        float(text[:1].islower()),
        float(text[:1].isdigit()),
        float(bool(_DATEISH.search(text))),
        float(bool(_MONEY.search(text))),
        float(bool(_KEYWORDS.search(text))),
        float(sum(1 for w in words if w[:1].isupper()) / max(1, len(words))),
        float(bool(re.search(r"_{3,}|\.{4,}", text))),
    ]


TEXT_NAMES = [
    "chars",
    "words",
    "alpha",
    "digit",
    "upper",
    "colon_end",
    "colon_in",
    "punct_end",
    "question_mark",
    "cap_start",
    "lower_start",
    "digit_start",
    "dateish",
    "money",
    "keyword",
    "title_ratio",
    "blank_rule",
]


def page_unit(nodes: Sequence[Node]) -> float:
    heights = [w.bbox[3] - w.bbox[1] for n in nodes for w in n.words]
    return float(np.median(heights)) if heights else 10.0


def _geometry(box: BBox, unit: float, width: float, height: float) -> list[float]:
    return [
        box[0] / width,
        box[1] / height,
        box[2] / width,
        (box[2] - box[0]) / unit,
        (box[3] - box[1]) / unit,
    ]


def _pair_geometry(a: BBox, b: BBox, unit: float) -> list[float]:
    """b relative to a."""
    return [
        (b[0] - a[2]) / unit,  # gap to the right
        (b[1] - a[3]) / unit,  # gap below
        (b[0] - a[0]) / unit,  # left edges
        (b[2] - a[2]) / unit,  # right edges
        ((b[0] + b[2]) - (a[0] + a[2])) / 2 / unit,
        ((b[1] + b[3]) - (a[1] + a[3])) / 2 / unit,
        v_overlap(a, b),
        h_overlap(a, b),
        (b[3] - b[1]) / max(1.0, a[3] - a[1]),
    ]


PAIR_NAMES = [
    "dx_gap",
    "dy_gap",
    "dx_left",
    "dx_right",
    "dx_centre",
    "dy_centre",
    "v_overlap",
    "h_overlap",
    "height_ratio",
]


def merge_features(
    a: Node, b: Node, same_line: bool, unit: float, row_counts: dict[int, int], rank: int
) -> list[float]:
    """Features for "b continues a" (b right of a on its line, or b on a following line)."""
    ta, tb = a.text, b.text
    return [
        float(same_line),
        *_pair_geometry(a.bbox, b.bbox, unit),
        *text_features(ta),
        *text_features(tb),
        float(row_counts.get(a.lines[-1], 1)),
        float(row_counts.get(b.lines[0], 1)),
        float(rank),
    ]


MERGE_NAMES = [
    "same_line",
    *PAIR_NAMES,
    *(f"a_{n}" for n in TEXT_NAMES),
    *(f"b_{n}" for n in TEXT_NAMES),
    "a_row_segments",
    "b_row_segments",
    "rank",
]


def _nearest(i: int, nodes: Sequence[Node], unit: float, direction: str) -> tuple[float, int]:
    """Distance (in units) and index of the nearest node right/left/above/below of node ``i``."""
    box = nodes[i].bbox
    best = (99.0, -1)
    for j, other in enumerate(nodes):
        if j == i:
            continue
        ob = other.bbox
        if direction == "right" and ob[0] < box[0] or direction == "left" and ob[2] > box[2]:
            continue
        if direction == "below" and ob[1] < box[1] or direction == "above" and ob[3] > box[3]:
            continue
        if direction in ("right", "left") and v_overlap(box, ob) >= 0.4:
            gap = ob[0] - box[2] if direction == "right" else box[0] - ob[2]
            if gap >= -0.5 * unit and gap / unit < best[0]:
                best = (max(0.0, gap / unit), j)
        elif direction in ("below", "above") and (h_overlap(box, ob) > 0.2 or abs(ob[0] - box[0]) < 1.5 * unit):
            gap = ob[1] - box[3] if direction == "below" else box[1] - ob[3]
            if gap >= -0.3 * unit and gap / unit < best[0]:
                best = (max(0.0, gap / unit), j)
    return best


def label_features(nodes: Sequence[Node], width: float, height: float, unit: float) -> np.ndarray:
    rows = []
    for i, node in enumerate(nodes):
        feats = [*text_features(node.text), *_geometry(node.bbox, unit, width, height), float(len(node.lines))]
        for direction in ("right", "left", "below", "above"):
            dist, j = _nearest(i, nodes, unit, direction)
            other = nodes[j].text if j >= 0 else ""
            feats += [
                dist,
                float(j >= 0 and other.rstrip().endswith(":")),
                float(j >= 0 and bool(_DIGIT.search(other))),
                float(len(other.split())),
            ]
        rows.append(feats)
    return np.asarray(rows, dtype=np.float64).reshape(len(nodes), len(LABEL_NAMES))


LABEL_NAMES = [
    *TEXT_NAMES,
    "x0",
    "y0",
    "x1",
    "width",
    "height",
    "n_lines",
    *(f"{d}_{n}" for d in ("right", "left", "below", "above") for n in ("dist", "colon", "digit", "words")),
]
LABELS = ["question", "answer", "header", "other"]


def link_candidates(nodes: Sequence[Node], unit: float, *, per_key: int = 10) -> list[tuple[int, int]]:
    """Plausible (question, answer) index pairs: the answer right of the question on its row, or below
    it (near, or under it in a column), nearest first, at most ``per_key`` per question."""
    out: list[tuple[int, int]] = []
    boxes = [n.bbox for n in nodes]
    for i, kb in enumerate(boxes):
        scored: list[tuple[float, int]] = []
        for j, vb in enumerate(boxes):
            if j == i:
                continue
            dy = vb[1] - kb[3]
            if v_overlap(kb, vb) >= 0.3 and vb[2] > kb[2] - 0.5 * unit:
                dist = max(0.0, vb[0] - kb[2]) / unit
            elif (
                dy >= -0.5 * unit
                and dy < 25 * unit
                and (h_overlap(kb, vb) > 0 or abs(vb[0] - kb[0]) < 4 * unit or vb[0] > kb[0] - 2 * unit)
            ):
                dist = dy / unit + 0.25 * abs(vb[0] - kb[0]) / unit
            else:
                continue
            scored.append((dist, j))
        scored.sort()
        out.extend((i, j) for _, j in scored[:per_key])
    return out


def link_features(nodes: Sequence[Node], pairs: Sequence[tuple[int, int]], unit: float) -> np.ndarray:
    # rank of each candidate among its question's candidates and among its answer's candidates
    by_key: dict[int, list[int]] = {}
    by_value: dict[int, list[int]] = {}
    for k, (i, j) in enumerate(pairs):
        by_key.setdefault(i, []).append(k)
        by_value.setdefault(j, []).append(k)
    rank_key = {k: r for ks in by_key.values() for r, k in enumerate(ks)}
    dists = {}
    for k, (i, j) in enumerate(pairs):
        kb, vb = nodes[i].bbox, nodes[j].bbox
        dists[k] = abs(max(0.0, vb[0] - kb[2])) + abs(max(0.0, vb[1] - kb[3]))
    rank_value = {}
    for ks in by_value.values():
        for r, k in enumerate(sorted(ks, key=lambda k: dists[k])):
            rank_value[k] = r
    texts = [text_features(n.text) for n in nodes]
    boxes = [n.bbox for n in nodes]
    rows = []
    for k, (i, j) in enumerate(pairs):
        q, a = nodes[i], nodes[j]
        qb, ab = boxes[i], boxes[j]
        same_row = v_overlap(qb, ab) >= 0.3
        if same_row:
            between = sum(1 for nb in boxes if qb[2] <= nb[0] and nb[2] <= ab[0] and v_overlap(qb, nb) >= 0.3)
        else:
            between = sum(1 for nb in boxes if qb[3] <= nb[1] and nb[3] <= ab[1] and h_overlap(ab, nb) > 0.3)
        rows.append(
            [
                *q.probs,
                *a.probs,
                *_pair_geometry(q.bbox, a.bbox, unit),
                float(same_row),
                float(rank_key[k]),
                float(rank_value[k]),
                float(len(by_value[j])),
                float(between),
                *texts[i],
                *texts[j],
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(pairs), len(LINK_NAMES))


LINK_NAMES = [
    *(f"q_p_{n}" for n in LABELS),
    *(f"a_p_{n}" for n in LABELS),
    *PAIR_NAMES,
    "same_row",
    "rank_for_key",
    "rank_for_value",
    "value_candidates",
    "between",
    *(f"q_{n}" for n in TEXT_NAMES),
    *(f"a_{n}" for n in TEXT_NAMES),
]
