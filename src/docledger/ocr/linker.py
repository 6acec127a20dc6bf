"""Learned key-value linking: words -> entities -> labels -> question->answer links.

Three gradient-boosted tree models (trained by ``scripts/train_forms.py`` on development forms
plus generated ones, shipped as ``ocr/models/forms-linker.json.gz``) replace the geometric rules
of :mod:`docledger.ocr.forms` for pairing:

1. **group** — lines are cut into segments (at wide gaps and after colons); the ``merge`` model
   joins a segment with its right neighbour or with a segment on a following line when they are
   one entity (a two-part label, an answer that wraps);
2. **label** — the ``label`` model says question / answer / header / other for each entity;
3. **link** — every plausible (question, answer) pair (right on the row or below, nearest
   first) is scored by the ``link`` model; pairs are accepted best first under constraints: an
   answer has one question (a second only in a table, where a column header and a row header
   both name the cell, and only when the model is sure), and an entity is either a key or a value.

The link score is mapped to a calibrated probability that the pair is right, which becomes the
pair's ``confidence``: isotonic maps fitted on out-of-fold predictions over the development forms,
one for annotated/digital text (word confidence 1) and one for OCR'd pairs.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from docledger.ocr.gbdt import BoostedTrees, Isotonic, Platt, SplitIsotonic
from docledger.ocr.linker_features import (
    LABELS,
    Node,
    label_features,
    link_candidates,
    link_features,
    merge_features,
    page_unit,
)
from docledger.ocr.types import BBox, Line, Word, bbox_union, group_words_into_lines, h_overlap, v_overlap

MODEL_RESOURCE = "forms-linker.json.gz"


@dataclass
class LinkerModel:
    name: str
    version: str
    merge: BoostedTrees
    label: BoostedTrees
    link: BoostedTrees
    calibration: Isotonic | Platt | SplitIsotonic
    merge_threshold: float
    link_threshold: float
    second_question_threshold: float
    info: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkerModel:
        th = data["thresholds"]
        return cls(
            name=data["name"],
            version=data["version"],
            merge=BoostedTrees(data["merge"]),
            label=BoostedTrees(data["label"]),
            link=BoostedTrees(data["link"]),
            calibration=_calibration(data["calibration"]),
            merge_threshold=float(th["merge"]),
            link_threshold=float(th["link"]),
            second_question_threshold=float(th["second_question"]),
            info=data.get("info", {}),
        )


def _calibration(data: dict[str, Any]) -> Isotonic | Platt | SplitIsotonic:
    kind = data.get("kind", "isotonic")
    if kind == "platt":
        return Platt.from_json(data)
    if kind == "split-isotonic":
        return SplitIsotonic.from_json(data)
    return Isotonic.from_json(data)


@functools.lru_cache(maxsize=1)
def load_model() -> LinkerModel:
    """The shipped model (package data; read once per process, no network)."""
    raw = resources.files("docledger.ocr.models").joinpath(MODEL_RESOURCE).read_bytes()
    return LinkerModel.from_json(json.loads(gzip.decompress(raw)))


def model_version() -> str:
    """``name@version`` of the shipped model, or ``unavailable`` when the file is missing or broken."""
    try:
        m = load_model()
    except (OSError, ValueError, KeyError):
        return "unavailable"
    return f"{m.name}@{m.version}"


@dataclass
class Entity:
    text: str
    label: str
    confidence: float  # probability of the label
    bbox: BBox
    words: list[Word]

    def to_dict(self) -> dict[str, Any]:
        from docledger.ocr.types import bbox_round

        return {
            "text": self.text,
            "label": self.label,
            "confidence": round(self.confidence, 3),
            "bbox": bbox_round(self.bbox),
        }


@dataclass
class Link:
    key: int
    value: int
    score: float  # raw model probability
    confidence: float  # calibrated probability that the pair is right


# ---- 1. segments and entities ------------------------------------------------------------------


def segments_of(lines: Sequence[Line]) -> list[Node]:
    """Lines (top to bottom) cut into segments at wide gaps and after colons."""
    from docledger.ocr.forms import segment_lines

    ordered = sorted((ln for ln in lines if ln.words), key=lambda ln: ((ln.bbox[1] + ln.bbox[3]) / 2, ln.bbox[0]))
    return [Node(list(s.words), [s.line_index]) for s in segment_lines(ordered)]


def merge_candidates(segs: Sequence[Node], unit: float) -> list[tuple[int, int, bool, int]]:
    """(a, b, same_line, rank): b is a's right neighbour on its line, or one of the two nearest
    segments starting on the next lines under a."""
    out: list[tuple[int, int, bool, int]] = []
    by_line: dict[int, list[int]] = {}
    for i, s in enumerate(segs):
        by_line.setdefault(s.lines[0], []).append(i)
    for members in by_line.values():
        members.sort(key=lambda i: segs[i].bbox[0])
        out.extend((a, b, True, 0) for a, b in zip(members, members[1:], strict=False))
    for i, a in enumerate(segs):
        ab = a.bbox
        below = []
        for j, b in enumerate(segs):
            bb = b.bbox
            if b.lines[0] <= a.lines[0]:
                continue
            dy = bb[1] - ab[3]
            if -0.4 * unit <= dy < 2.5 * unit and (h_overlap(ab, bb) > 0 or abs(bb[0] - ab[0]) < 2 * unit):
                below.append((dy + 0.1 * abs(bb[0] - ab[0]) / unit, j))
        below.sort()
        out.extend((i, j, False, r) for r, (_, j) in enumerate(below[:2]))
    return out


def merge_matrix(segs: Sequence[Node], cands: Sequence[tuple[int, int, bool, int]], unit: float) -> np.ndarray:
    counts: dict[int, int] = {}
    for s in segs:
        counts[s.lines[0]] = counts.get(s.lines[0], 0) + 1
    rows = [merge_features(segs[a], segs[b], same, unit, counts, rank) for a, b, same, rank in cands]
    return np.asarray(rows, dtype=np.float64).reshape(len(cands), -1)


def union_groups(n: int, merges: Sequence[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in merges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def group_segments(segs: Sequence[Node], members: Sequence[Sequence[int]]) -> list[Node]:
    out = []
    for group in members:
        parts = sorted((segs[i] for i in group), key=lambda s: (s.lines[0], s.bbox[0]))
        words = [w for p in parts for w in p.words]
        out.append(Node(words, sorted({ln for p in parts for ln in p.lines})))
    out.sort(key=lambda n: (n.bbox[1], n.bbox[0]))
    return out


def entities_from_lines(lines: Sequence[Line], model: LinkerModel | None = None) -> list[Node]:
    model = model or load_model()
    segs = segments_of(lines)
    if not segs:
        return []
    unit = page_unit(segs)
    cands = merge_candidates(segs, unit)
    merges: list[tuple[int, int]] = []
    if cands:
        p = model.merge.predict_proba(merge_matrix(segs, cands, unit))[:, 1]
        merges = [(a, b) for (a, b, _, _), prob in zip(cands, p, strict=True) if prob >= model.merge_threshold]
    return group_segments(segs, union_groups(len(segs), merges))


# ---- 2. labels and 3. links ----------------------------------------------------------------------


def label_nodes(nodes: Sequence[Node], width: float, height: float, model: LinkerModel) -> None:
    if not nodes:
        return
    unit = page_unit(nodes)
    probs = model.label.predict_proba(label_features(nodes, width, height, unit))
    order = [model.label.classes.index(lbl) for lbl in LABELS]
    for node, row in zip(nodes, probs[:, order], strict=True):
        node.probs = [float(v) for v in row]
        node.label = LABELS[int(np.argmax(row))]


def score_links(nodes: Sequence[Node], model: LinkerModel) -> list[tuple[int, int, float]]:
    unit = page_unit(nodes)
    cands = link_candidates(nodes, unit)
    if not cands:
        return []
    p = model.link.predict_proba(link_features(nodes, cands, unit))[:, 1]
    return [(i, j, float(s)) for (i, j), s in zip(cands, p, strict=True)]


def decode_links(nodes: Sequence[Node], scored: Sequence[tuple[int, int, float]], model: LinkerModel) -> list[Link]:
    """Best first: an entity is a key or a value, never both; an answer has one question, or two when
    they name a table cell from above and from the left and the second is near certain."""
    role: dict[int, str] = {}
    keys_of: dict[int, list[int]] = {}
    links: list[Link] = []
    for i, j, score in sorted(scored, key=lambda t: -t[2]):
        if score < model.link_threshold or role.get(i) == "value" or role.get(j) == "key":
            continue
        taken = keys_of.get(j, [])
        if taken:
            if len(taken) >= 2 or score < model.second_question_threshold:
                continue
            first = nodes[taken[0]].bbox
            here = nodes[i].bbox
            if v_overlap(first, here) >= 0.3 or h_overlap(first, here) > 0.3:
                continue  # both on the same side: not a row/column header pair
        role[i], role[j] = "key", "value"
        keys_of.setdefault(j, []).append(i)
        links.append(Link(i, j, score, 0.0))
    if links:
        ocr = np.asarray([min(nodes[lk.key].confidence, nodes[lk.value].confidence) for lk in links])
        conf = model.calibration(np.asarray([lk.score for lk in links]), ocr)
        for lk, c in zip(links, conf, strict=True):
            lk.confidence = float(c)
    return links


@dataclass
class FormReading:
    entities: list[Node]
    links: list[Link]
    model: str


def read_form(
    lines: Sequence[Line] | None = None,
    *,
    width: float,
    height: float,
    entities: Sequence[Node] | None = None,
    model: LinkerModel | None = None,
) -> FormReading:
    """Entities (grouped from ``lines`` unless given), their labels and the question->answer links."""
    model = model or load_model()
    nodes = list(entities) if entities is not None else entities_from_lines(lines or [], model)
    label_nodes(nodes, width, height, model)
    links = decode_links(nodes, score_links(nodes, model), model) if nodes else []
    return FormReading(nodes, links, f"{model.name}@{model.version}")


def reading_from_words(words: Sequence[Word], *, width: float, height: float) -> FormReading:
    return read_form(group_words_into_lines(words), width=width, height=height)


def node_bbox(nodes: Sequence[Node]) -> BBox:
    return bbox_union(n.bbox for n in nodes)
