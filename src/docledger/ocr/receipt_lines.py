"""Which printed rows of a receipt hold the company name and the address: a small learned model.

Each row (OCR lines sharing a baseline, joined left to right) is described by layout features
(rank from the top, position and size relative to the printed area, centring) and text features
(upper-case ratio, legal suffixes such as SDN BHD / ENTERPRISE / TRADING, postcodes, street
words such as JALAN / TAMAN / NO., state names, phone, tax-id and GST markers, dates, amounts),
plus the same markers on the neighbouring rows and the verdict of the hand-written rules of
:mod:`docledger.ocr.receipts`. Gradient-boosted trees (trained by ``scripts/train_receipts.py``)
give every row a probability of being ``company``, ``address`` or ``other``.

Why the trees are stored as JSON and evaluated here: a pickled scikit-learn model ties the
runtime to one scikit-learn version and runs code on load. The JSON file holds only numbers
(split feature, threshold, children, leaf values), is a few hundred KB, ships as package data,
and this module evaluates it with numpy. scikit-learn is needed only to train.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from statistics import median
from typing import Any

import numpy as np

from docledger.ocr.types import BBox, Line, bbox_union, v_overlap

MODEL_FILE = "receipt_lines.json"
MODEL_FORMAT = "docledger-gbt/1"
CLASSES = ("other", "company", "address")

_SUFFIX = re.compile(
    r"\b(sdn\.?\s*bhd|sdn|bhd|berhad|s/b|enterprise|enterprises|trading|ltd|limited|llc|inc|plc|gmbh|corp|"
    r"corporation|restaurants?|restoran|holdings|industries|company|co)\b\.?",
    re.I,
)
_TRADE = re.compile(
    r"\b(store|stores|mart|supermarket|hardware|bakery|cafe|kedai|stationery|pharmacy|book|services|marketing|"
    r"food|station|shop|market|motor|electrical|florist|kitchen|bistro|house)\b",
    re.I,
)
_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
_STREET = re.compile(
    r"\b(jalan|jln|lot|no|taman|tmn|street|st|road|rd|avenue|ave|blok|block|lorong|lrg|kampung|kg|bandar|"
    r"persiaran|plaza|floor|flr|level|suite|unit|seksyen|section|desa|kawasan|mall|batu|km|pusat|kompleks|"
    r"industri|perindustrian|bt|g/f|ground)\b",
    re.I,
)
_PLACE = re.compile(
    r"\b(johor|selangor|kuala|lumpur|kl|malaysia|pahang|perak|kedah|penang|pulau|pinang|melaka|malacca|sabah|"
    r"sarawak|kelantan|terengganu|negeri|sembilan|perlis|putrajaya|labuan|darul|ehsan|takzim|singapore|"
    r"bahru|petaling|jaya|shah|alam|klang|subang|puchong|cheras|ampang|kajang|seremban|ipoh|rawang|bangi|"
    r"serdang|skudai|gombak|setia|damansara|bukit|sungai|sg|utara|selatan|baru|wilayah|persekutuan)\b",
    re.I,
)
_PHONE = re.compile(r"\b(tel|telefon|telephone|phone|h/p|hp|fax|mobile)\b|\b\d{2,3}[- ]?\d{3,4}[- ]\d{3,4}\b", re.I)
_TAX_ID = re.compile(r"\b(gst|sst|tax|vat|reg|registration|roc|co\.?\s*no|company\s*no|br\s*no|id\s*no)\b", re.I)
_REG_NO = re.compile(r"\d{4,}\s*-\s*[A-Z]\b|\(\s*[A-Z]{0,3}\d{5,}[-\s]?[A-Z]?\s*\)", re.I)
_DATE = re.compile(r"\d{1,4}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{2,4}|\b\d{1,2}\s*[A-Za-z]{3}\s*\d{2,4}\b")
_AMOUNT = re.compile(r"(?<![\d.])\d+[.,]\d{2}(?![\d])")
_CUES = re.compile(
    r"\b(receipt|invoice|cash|change|tender|total|subtotal|qty|cashier|thank|rm|bill|table|member|counter|"
    r"order|slip|doc|document|server|pax|date|time)\b",
    re.I,
)
_GREETING = re.compile(r"\b(thank|thanks|tq|welcome|selamat|please|come again)\b", re.I)
_LABEL = re.compile(r"^[A-Za-z][A-Za-z .#/&-]{1,24}\s*:")
_NUMBERED = re.compile(r"^([A-Z]{0,2}\d+[A-Z0-9/-]*\b|(no|lot|unit|blok|block)\b\.?\s*:?\s*[A-Z]?\d)", re.I)

FEATURES = (
    "rank",
    "rank_rel",
    "y_rel",
    "height_rel",
    "x_centre",
    "width_rel",
    "indent",
    "chars",
    "words",
    "upper",
    "alpha",
    "digits",
    "commas",
    "ends_comma",
    "suffix",
    "trade",
    "postcode",
    "street",
    "place",
    "phone",
    "tax_id",
    "reg_no",
    "date",
    "amount",
    "cues",
    "greeting",
    "label",
    "numbered",
    "brackets",
    "to_first_body",
    "to_first_suffix",
    "to_first_postcode",
    "prev_suffix",
    "next_suffix",
    "prev_addr",
    "next_addr",
    "prev_reg",
    "next_reg",
    "prev_upper",
    "rule_company",
    "rule_address",
    "rows_total",
    "height_rank",
)


@dataclass
class Row:
    text: str
    bbox: BBox | None


def rows_with_boxes(lines: Sequence[Line | str]) -> list[Row]:
    """Rows of the receipt top to bottom: lines sharing a baseline (>= 50 % overlap) joined left to right.

    Plain strings are taken as rows already (no geometry).
    """
    if all(isinstance(ln, str) for ln in lines):
        return [Row(str(ln).strip(), None) for ln in lines if str(ln).strip()]
    boxed = [ln for ln in lines if isinstance(ln, Line) and ln.text.strip()]
    groups: list[list[Line]] = []
    for line in sorted(boxed, key=lambda ln: ((ln.bbox[1] + ln.bbox[3]) / 2, ln.bbox[0])):
        for group in groups[-3:]:
            if v_overlap(group[0].bbox, line.bbox) >= 0.5:
                group.append(line)
                break
        else:
            groups.append([line])
    out = []
    for g in groups:
        g.sort(key=lambda ln: ln.bbox[0])
        out.append(Row(" ".join(ln.text.strip() for ln in g), bbox_union(ln.bbox for ln in g)))
    return out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _text_features(text: str) -> list[float]:
    letters = [c for c in text if c.isalpha()]
    compact = text.replace(" ", "")
    n = max(1, len(compact))
    return [
        float(len(text)),
        float(len(text.split())),
        sum(c.isupper() for c in letters) / max(1, len(letters)),
        len(letters) / n,
        sum(c.isdigit() for c in compact) / n,
        float(text.count(",")),
        float(text.rstrip().endswith(",")),
        float(bool(_SUFFIX.search(text))),
        float(bool(_TRADE.search(text))),
        float(bool(_POSTCODE.search(text))),
        float(len(_STREET.findall(text))),
        float(len(_PLACE.findall(text))),
        float(bool(_PHONE.search(text))),
        float(bool(_TAX_ID.search(text))),
        float(bool(_REG_NO.search(text))),
        float(bool(_DATE.search(text))),
        float(len(_AMOUNT.findall(text))),
        float(len(_CUES.findall(text))),
        float(bool(_GREETING.search(text))),
        float(bool(_LABEL.match(text))),
        float(bool(_NUMBERED.match(text))),
        float("(" in text or ")" in text),
    ]


def _rule_membership(texts: list[str]) -> tuple[list[float], list[float]]:
    """Whether the hand-written rules put each row into the company name / the address."""
    from docledger.ocr.receipts import _address, _company

    company, end = _company(texts)
    address = _address(texts, end) if end >= 0 else None
    c_norm, a_norm = _norm(company or ""), _norm(address or "")
    comp = [float(i <= end and len(_norm(t)) >= 2 and _norm(t) in c_norm) for i, t in enumerate(texts)]
    addr = [float(i > end and len(_norm(t)) >= 2 and _norm(t) in a_norm) for i, t in enumerate(texts)]
    return comp, addr


def row_features(rows: Sequence[Row]) -> np.ndarray:
    """One feature vector per row (columns named by :data:`FEATURES`)."""
    n = len(rows)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    texts = [r.text for r in rows]
    boxes = [r.bbox for r in rows]
    geometric = all(b is not None for b in boxes)
    if geometric:
        bb = [b for b in boxes if b is not None]
        left, top = min(b[0] for b in bb), min(b[1] for b in bb)
        right, bottom = max(b[2] for b in bb), max(b[3] for b in bb)
        heights = [b[3] - b[1] for b in bb]
        med_h = median(heights) or 1.0
        order = sorted(range(n), key=lambda i: -heights[i])
        height_rank = [0.0] * n
        for rank, i in enumerate(order):
            height_rank[i] = float(rank)
    text_rows = [_text_features(t) for t in texts]
    suffix = [tf[7] for tf in text_rows]
    addr_like = [float(tf[9] or tf[10] > 0 or tf[20]) for tf in text_rows]
    reg = [float(tf[14] or tf[13]) for tf in text_rows]
    body = [i for i, tf in enumerate(text_rows) if tf[12] or tf[15] or tf[17] >= 2]
    first_body = body[0] if body else n
    first_suffix = next((i for i in range(n) if suffix[i]), -1)
    first_postcode = next((i for i in range(n) if text_rows[i][9]), -1)
    rule_comp, rule_addr = _rule_membership(texts)
    out = np.zeros((n, len(FEATURES)))
    for i in range(n):
        if geometric:
            b = boxes[i]
            assert b is not None
            width = max(1.0, right - left)
            geo = [
                (((b[1] + b[3]) / 2) - top) / max(1.0, bottom - top),
                (b[3] - b[1]) / med_h,
                (((b[0] + b[2]) / 2) - left) / width,
                (b[2] - b[0]) / width,
                (b[0] - left) / width,
            ]
        else:
            geo = [i / max(1, n - 1), 1.0, 0.5, min(1.0, len(texts[i]) / 40.0), 0.0]
        out[i] = [
            float(i),
            i / max(1, n - 1),
            *geo,
            *text_rows[i],
            float(i - first_body),
            float(i - first_suffix) if first_suffix >= 0 else -99.0,
            float(i - first_postcode) if first_postcode >= 0 else -99.0,
            suffix[i - 1] if i > 0 else -1.0,
            suffix[i + 1] if i + 1 < n else -1.0,
            addr_like[i - 1] if i > 0 else -1.0,
            addr_like[i + 1] if i + 1 < n else -1.0,
            reg[i - 1] if i > 0 else -1.0,
            reg[i + 1] if i + 1 < n else -1.0,
            text_rows[i - 1][2] if i > 0 else -1.0,
            rule_comp[i],
            rule_addr[i],
            float(n),
            height_rank[i] if geometric else -1.0,
        ]
    return out


# --- the model -------------------------------------------------------------------------------------


class RowModel:
    """Gradient-boosted trees loaded from the JSON the training script writes (numpy inference)."""

    def __init__(self, data: dict[str, Any], sha256: str) -> None:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"unknown receipt model format {data.get('format')!r}")
        if tuple(data["features"]) != FEATURES:
            raise ValueError("receipt model was trained on other features; retrain with scripts/train_receipts.py")
        self.version: str = data["version"]
        self.sha256 = sha256
        self.classes: tuple[str, ...] = tuple(data["classes"])
        self.learning_rate = float(data["learning_rate"])
        self.baseline = np.asarray(data["baseline"], dtype=float)
        self.thresholds: dict[str, float] = data.get("thresholds", {})
        self.calibration: dict[str, list[float]] = data.get("calibration", {})
        # trees[stage][class] -> arrays
        self._trees = [
            [
                (
                    np.asarray(t["feature"], dtype=np.int64),
                    np.asarray(t["threshold"], dtype=float),
                    np.asarray(t["left"], dtype=np.int64),
                    np.asarray(t["right"], dtype=np.int64),
                    np.asarray(t["value"], dtype=float),
                )
                for t in stage
            ]
            for stage in data["trees"]
        ]

    @staticmethod
    def _tree_predict(tree: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
        feature, threshold, left, right, value = tree
        node = np.zeros(len(x), dtype=np.int64)
        active = left[node] >= 0
        while active.any():
            idx = np.nonzero(active)[0]
            nodes = node[idx]
            go_left = x[idx, feature[nodes]] <= threshold[nodes]
            node[idx] = np.where(go_left, left[nodes], right[nodes])
            active = left[node] >= 0
        return value[node]

    def raw(self, x: np.ndarray) -> np.ndarray:
        scores = np.tile(self.baseline, (len(x), 1))
        for stage in self._trees:
            for k, tree in enumerate(stage):
                scores[:, k] += self.learning_rate * self._tree_predict(tree, x)
        return scores

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros((0, len(self.classes)))
        raw = self.raw(x)
        raw -= raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def info(self) -> dict[str, str]:
        return {"name": "receipt-lines", "version": self.version, "sha256": self.sha256[:16]}


@functools.cache
def load_model() -> RowModel:
    """The row model shipped in the package (``docledger/ocr/models/receipt_lines.json``); no network."""
    blob = resources.files("docledger.ocr").joinpath("models", MODEL_FILE).read_bytes()
    return RowModel(json.loads(blob), hashlib.sha256(blob).hexdigest())


def calibrate(p: float, table: list[float] | None) -> float:
    """Map a raw block score through the isotonic table ``[x0, y0, x1, y1, ...]`` (identity without one)."""
    if not table:
        return p
    xs, ys = table[0::2], table[1::2]
    return float(np.interp(p, xs, ys))


def _block(probs: np.ndarray, limit: int, threshold: float, start_after: int = -1) -> tuple[int, int, float] | None:
    """The contiguous run of rows around the most probable row whose probability stays >= threshold."""
    lo_bound = start_after + 1
    if lo_bound >= min(limit, len(probs)):
        return None
    window = probs[lo_bound:limit]
    best = lo_bound + int(np.argmax(window))
    if probs[best] < threshold:
        return None
    lo = hi = best
    while lo - 1 >= lo_bound and probs[lo - 1] >= threshold:
        lo -= 1
    while hi + 1 < limit and probs[hi + 1] >= threshold:
        hi += 1
    return lo, hi, float(np.mean(probs[lo : hi + 1]))


def row_labels(rows: Sequence[Row], company: str, address: str) -> list[int]:
    """Training labels: a row belongs to the company/address when most of its tokens occur in it."""

    def tokens(text: str) -> list[str]:
        return [t for t in (_norm(w) for w in re.split(r"[\s,]+", text)) if t]

    comp_tokens, addr_tokens = set(tokens(company)), set(tokens(address))
    comp_norm, addr_norm = _norm(company), _norm(address)
    labels = []
    for index, r in enumerate(rows):
        toks = tokens(r.text)
        if not toks or index >= 25:  # a name repeated in the footer ("THANK YOU FOR SHOPPING AT ...") is not it
            labels.append(0)
            continue
        in_comp = sum(t in comp_tokens or (len(t) > 3 and t in comp_norm) for t in toks) / len(toks)
        in_addr = sum(t in addr_tokens or (len(t) > 3 and t in addr_norm) for t in toks) / len(toks)
        if in_comp >= 0.6 and in_comp >= in_addr and len(_norm(r.text)) >= 2:
            labels.append(1)
        elif in_addr >= 0.6 and len(_norm(r.text)) >= 2:
            labels.append(2)
        else:
            labels.append(0)
    return labels


def held_out(receipt_id: str) -> bool:
    """The fixed quarter of the SROIE development receipts that training never reads (ids % 4 == 3)."""
    return int(re.sub(r"\D", "", receipt_id) or 0) % 4 == 3
