"""Form and receipt extraction quality on the development corpus.

FUNSD (``corpus/funsd/train``): key->value pair F1. Ground-truth pairs are the question->answer
links of each form; a predicted pair matches when the normalised key and value (lowercase,
letters and digits only) equal a ground-truth pair's. Two inputs are measured side by side:

* ``gt-words`` — the annotation's own word boxes fed to ``extract_forms_from_words``: the
  quality of the geometry alone;
* ``<engine>`` — words from OCR (``analyze_page``): layout + OCR. Here a relaxed score is also
  printed (similarity >= 0.8 on both key and value) so OCR typos are told apart from layout misses.

SROIE (``corpus/sroie/dev``): per-field accuracy of ``receipt_fields`` (company, date, address,
total), on the ground-truth text lines (``box/*.csv``) and on OCR lines. Dates compare as ISO
dates, totals as decimals, company and address after normalisation.

FUNSD figures come from the 20 HOLD-OUT forms (``stems[4::5]`` by sorted name) that
``scripts/train_forms.py`` never reads, in three settings: ``gt-entities`` (annotated entities,
the linker labels and links them), ``gt-words`` (annotated words: grouping + labels + links) and
``<engine>`` (end to end: OCR -> reading order -> linker). The geometric rules (``rules``) run
beside the linker as the reference. ECE = expected calibration error of the pairs' confidence
against "the (key, value) pair is right". A query check asks each printed question of the form
(``answer_query``) and scores the top answer.

Run: ``python bench/quality_forms.py --limit 20 --engines rapidocr`` (corpus from
``DOCLEDGER_CORPUS`` or ``../shared/corpus`` next to the repository; exits 0 with a note when
absent). OCR is ~1-3 s per page on 2 cores, so full runs take minutes.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import time
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from docledger.ocr.analyze import analyze_page  # noqa: E402
from docledger.ocr.engines import get_engine  # noqa: E402
from docledger.ocr.forms import FormField, extract_forms, extract_forms_from_words  # noqa: E402
from docledger.ocr.linker import read_form  # noqa: E402
from docledger.ocr.linker_features import Node  # noqa: E402
from docledger.ocr.receipts import parse_date, receipt_fields  # noqa: E402
from docledger.ocr.types import Line, PageOcr, Word, group_words_into_lines  # noqa: E402
from docledger.services.query import answer_query  # noqa: E402


def corpus_dir() -> Path:
    env = os.environ.get("DOCLEDGER_CORPUS")
    return Path(env) if env else (ROOT / ".." / "shared" / "corpus").resolve()


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio() if a or b else 1.0


def funsd_truth(annotation: dict) -> tuple[list[Word], set[tuple[str, str]]]:
    entities = {e["id"]: e for e in annotation["form"]}
    words = [
        Word(w["text"], tuple(float(v) for v in w["box"]), 1.0)  # type: ignore[arg-type]
        for e in annotation["form"]
        for w in e["words"]
        if w["text"].strip()
    ]
    pairs: set[tuple[str, str]] = set()
    for e in annotation["form"]:
        for a, b in e["linking"]:
            q, v = entities.get(a), entities.get(b)
            if q and v and q["label"] == "question" and v["label"] == "answer":
                key, value = norm(q["text"]), norm(v["text"])
                if key and value:
                    pairs.add((key, value))
    return words, pairs


def score_pairs(pred: list[tuple[str, str]], truth: set[tuple[str, str]], relaxed: bool) -> tuple[int, int, int]:
    remaining = set(truth)
    tp = 0
    for key, value in pred:
        if (key, value) in remaining:
            remaining.discard((key, value))
            tp += 1
        elif relaxed:
            best = max(remaining, key=lambda t: similar(key, t[0]) + similar(value, t[1]), default=None)
            if best and similar(key, best[0]) >= 0.8 and similar(value, best[1]) >= 0.8:
                remaining.discard(best)
                tp += 1
    return tp, len(pred), len(truth)


def f1(tp: int, npred: int, ntruth: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = tp / ntruth if ntruth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def holdout_stems(folder: Path) -> list[str]:
    """The forms no model or threshold was tuned on: every fifth by sorted name (20 of 100)."""
    stems = sorted(p.stem for p in (folder / "annotations").glob("*.json"))
    return stems[4::5]


def ece(confidences: list[float], hits: list[bool], bins: int = 10) -> float:
    """Expected calibration error: |mean confidence - share right| per equal-width bin, weighted."""
    if not confidences:
        return 0.0
    total = 0.0
    for b in range(bins):
        sel = [
            (c, h)
            for c, h in zip(confidences, hits, strict=True)
            if b / bins <= c < (b + 1) / bins or (b == bins - 1 and c >= 1.0)
        ]
        if sel:
            gap = sum(c for c, _ in sel) / len(sel) - sum(h for _, h in sel) / len(sel)
            total += len(sel) / len(confidences) * abs(gap)
    return total


def _page_lines(folder: Path, stem: str, engine: str, cache: Path | None) -> tuple[list[Line], int, int, float]:
    """OCR lines (original image coordinates, reading order) of a form, optionally cached on disk."""
    path = cache / engine / f"{stem}.json" if cache else None
    started = time.perf_counter()
    if path is not None and path.exists():
        data = json.loads(path.read_text())
        seconds = float(data.get("seconds", 0.0))
    else:
        image = Image.open(folder / "images" / f"{stem}.png")
        a = analyze_page(image, get_engine(engine), page_number=1, structure=False)
        seconds = time.perf_counter() - started
        data = {
            "width": a.width,
            "height": a.height,
            "seconds": seconds,
            "lines": [
                {
                    "text": ln.text,
                    "bbox": list(ln.bbox),
                    "confidence": ln.confidence,
                    "words": [{"text": w.text, "bbox": list(w.bbox), "confidence": w.confidence} for w in ln.words],
                }
                for ln in a.ocr.lines
            ],
        }
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data))
    lines = [
        Line(
            ln["text"],
            tuple(ln["bbox"]),
            float(ln["confidence"]),  # type: ignore[arg-type]
            [Word(w["text"], tuple(w["bbox"]), float(w["confidence"])) for w in ln["words"]],
        )  # type: ignore[arg-type]
        for ln in data["lines"]
    ]
    return lines, int(data["width"]), int(data["height"]), seconds


def _entity_nodes(annotation: dict) -> list[Node]:
    nodes = []
    for e in annotation["form"]:
        ws = [Word(w["text"], tuple(float(v) for v in w["box"]), 1.0) for w in e["words"] if w["text"].strip()]  # type: ignore[arg-type]
        if ws:
            nodes.append(Node(ws, [0]))
    return nodes


def _queries(annotation: dict) -> list[tuple[str, str]]:
    """(printed question, its answer) of the form, for the query check."""
    ents = {e["id"]: e for e in annotation["form"]}
    out = []
    for e in annotation["form"]:
        for a, b in e["linking"]:
            if a == e["id"] and e["label"] == "question" and ents.get(b, {}).get("label") == "answer":
                if norm(e["text"]) and norm(ents[b]["text"]):
                    out.append((e["text"], ents[b]["text"]))
    return out


def bench_funsd(folder: Path, limit: int, engines: list[str], cache: Path | None, split: str) -> None:
    every = sorted(p.stem for p in (folder / "annotations").glob("*.json"))
    stems = holdout_stems(folder) if split == "holdout" else every
    stems = stems[:limit]
    totals: dict[str, list[int]] = {}
    calib: dict[str, tuple[list[float], list[bool]]] = {}
    seconds: dict[str, float] = {}
    query_hits: dict[str, tuple[list[float], list[bool]]] = {}
    for stem in stems:
        annotation = json.loads((folder / "annotations" / f"{stem}.json").read_text())
        words, truth = funsd_truth(annotation)
        image = Image.open(folder / "images" / f"{stem}.png")
        runs: dict[str, list] = {}
        t = time.perf_counter()
        reading = read_form(entities=_entity_nodes(annotation), width=image.width, height=image.height)
        runs["gt-entities linker"] = [
            FormField(
                reading.entities[lk.key].text.rstrip(":"),
                reading.entities[lk.value].text,
                lk.confidence,
                reading.entities[lk.key].bbox,
                reading.entities[lk.value].bbox,
            )
            for lk in reading.links
        ]
        seconds["gt-entities linker"] = seconds.get("gt-entities linker", 0.0) + time.perf_counter() - t
        for method in ("linker", "rules"):
            t = time.perf_counter()
            runs[f"gt-words {method}"] = extract_forms_from_words(words, image=image, method=method)
            seconds[f"gt-words {method}"] = seconds.get(f"gt-words {method}", 0.0) + time.perf_counter() - t
        for name in engines:
            lines, width, height, ocr_s = _page_lines(folder, stem, name, cache)
            page = PageOcr(width, height, [w for ln in lines for w in ln.words], lines)
            for method in ("linker", "rules"):
                t = time.perf_counter()
                fields = extract_forms(page, image, method=method)
                seconds[f"{name} {method}"] = seconds.get(f"{name} {method}", 0.0) + ocr_s + time.perf_counter() - t
                runs[f"{name} {method}"] = fields
                if method == "linker":
                    doc = {
                        "fields": {},
                        "pages": [
                            {
                                "page": 1,
                                "forms": [f.to_dict() for f in fields],
                                "lines": [ln.to_dict() for ln in lines],
                                "tables": [],
                            }
                        ],
                    }
                    qc, qh = query_hits.setdefault(name, ([], []))
                    for question, answer in _queries(annotation):
                        got = answer_query(doc, question, limit=1)
                        qc.append(got[0]["confidence"] if got else 0.0)
                        qh.append(bool(got) and norm(got[0]["value"]) == norm(answer))
        for name, fields in runs.items():
            pred = [(norm(f.key), norm(f.value)) for f in fields if norm(f.value)]
            confs = [f.confidence for f in fields if norm(f.value)]
            for relaxed in (False, True):
                acc = totals.setdefault(f"{name}{' relaxed' if relaxed else ''}", [0, 0, 0])
                for k, v in enumerate(score_pairs(pred, truth, relaxed)):
                    acc[k] += v
            cs, hs = calib.setdefault(name, ([], []))
            remaining = set(truth)
            for p, c in zip(pred, confs, strict=True):
                cs.append(c)
                hs.append(p in remaining)
                remaining.discard(p)
    label = "HOLD-OUT (stems[4::5], never tuned on)" if split == "holdout" else "all 100 (includes training forms)"
    print(f"\nFUNSD key->value pairs, {len(stems)} forms, {label}")
    print("targets: F1 >= 0.80 gt-entities, >= 0.70 gt-words, >= 0.55 end to end; ECE <= 0.05")
    print(f"{'input':<30}{'precision':>10}{'recall':>8}{'F1':>7}{'pred':>7}{'truth':>7}{'ECE':>7}{'s/page':>8}")
    for name, (tp, npred, ntruth) in totals.items():
        p, r, score = f1(tp, npred, ntruth)
        base = name.removesuffix(" relaxed")
        per_page = seconds.get(base, 0.0) / max(1, len(stems))
        e = "" if name.endswith("relaxed") else f"{ece(*calib[base]):.3f}"
        print(f"{name:<30}{p:>10.3f}{r:>8.3f}{score:>7.3f}{npred:>7}{ntruth:>7}{e:>7}{per_page:>8.2f}")
    for name, (qc, qh) in query_hits.items():
        print(
            f"queries by printed question ({name}, end to end): top answer right {sum(qh)}/{len(qh)} "
            f"= {sum(qh) / max(1, len(qh)):.3f}, ECE {ece(qc, qh):.3f}"
        )


def sroie_truth_lines(csv_path: Path) -> list[Line]:
    words: list[Word] = []
    with csv_path.open(encoding="utf-8", errors="replace") as fh:
        for row in fh:
            parts = row.rstrip("\n").split(",", 8)
            if len(parts) < 9 or not parts[8].strip():
                continue
            xs = [float(v) for v in parts[0:8:2]]
            ys = [float(v) for v in parts[1:8:2]]
            words.append(Word(parts[8].strip(), (min(xs), min(ys), max(xs), max(ys)), 1.0))
    # Each csv row is already a text line; keep them as lines, ordered top to bottom.
    lines = [Line(w.text, w.bbox, 1.0, [w]) for w in words]
    lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    return lines


def field_ok(name: str, predicted: str | None, truth: str) -> bool:
    if predicted is None:
        return False
    if name == "date":
        parsed: date | None = parse_date(truth)
        return parsed is not None and predicted == parsed.isoformat()
    if name == "total":
        try:
            return Decimal(predicted) == Decimal(re.sub(r"[^0-9.]", "", truth))
        except InvalidOperation:
            return False
    return norm(predicted) == norm(truth)


def bench_sroie(folder: Path, limit: int, engines: list[str]) -> None:
    keys = sorted((folder / "key").glob("*.json"))[:limit]
    fields = ("company", "date", "address", "total")
    hits: dict[str, dict[str, int]] = {}
    misses: list[str] = []
    for key_path in keys:
        truth = json.loads(key_path.read_text())
        inputs: dict[str, list[Line]] = {"gt-lines": sroie_truth_lines(folder / "box" / f"{key_path.stem}.csv")}
        for name in engines:
            page = get_engine(name).recognize(Image.open(folder / "img" / f"{key_path.stem}.jpg").convert("RGB"))
            inputs[name] = group_words_into_lines(page.words) if name == "tesseract" else page.lines
        for name, lines in inputs.items():
            got = receipt_fields(lines)
            acc = hits.setdefault(name, dict.fromkeys(fields, 0))
            for f in fields:
                ok = field_ok(f, got.get(f), truth[f])
                acc[f] += ok
                if not ok and name == "gt-lines" and len(misses) < 12:
                    misses.append(f"  {key_path.stem} {f}: got {got.get(f)!r}, truth {truth[f]!r}")
    print(f"\nSROIE receipts, {len(keys)} receipts: per-field accuracy (target >= 90 %)")
    print(f"{'input':<12}" + "".join(f"{f:>10}" for f in fields) + f"{'mean':>8}")
    for name, acc in hits.items():
        vals = [100.0 * acc[f] / max(1, len(keys)) for f in fields]
        print(f"{name:<12}" + "".join(f"{v:>9.1f}%" for v in vals) + f"{sum(vals) / 4:>7.1f}%")
    if misses:
        print("first misses on ground-truth lines:")
        print("\n".join(misses))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=100, help="forms/receipts per data set")
    parser.add_argument("--engines", default="rapidocr", help="comma list: rapidocr,tesseract (or '' for none)")
    parser.add_argument("--only", choices=["funsd", "sroie"], default=None)
    parser.add_argument(
        "--split",
        choices=["holdout", "all"],
        default="holdout",
        help="FUNSD forms: the 20 held-out forms (default) or all 100",
    )
    parser.add_argument(
        "--ocr-cache",
        type=Path,
        default=None,
        help="keep OCR lines of FUNSD forms here (re-runs skip OCR; timings are the first run's)",
    )
    args = parser.parse_args()
    corpus = corpus_dir()
    if not corpus.exists():
        print(f"corpus not found at {corpus}; set DOCLEDGER_CORPUS")
        return 0
    engines = [e for e in args.engines.split(",") if e]
    if args.only in (None, "funsd"):
        bench_funsd(corpus / "funsd" / "train", args.limit, engines, args.ocr_cache, args.split)
    if args.only in (None, "sroie"):
        bench_sroie(corpus / "sroie" / "dev", args.limit, engines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
