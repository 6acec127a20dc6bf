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
from docledger.ocr.forms import extract_forms_from_words  # noqa: E402
from docledger.ocr.receipts import parse_date, receipt_fields  # noqa: E402
from docledger.ocr.types import Line, Word, group_words_into_lines  # noqa: E402


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


def score_pairs(
    pred: list[tuple[str, str]], truth: set[tuple[str, str]], relaxed: bool
) -> tuple[int, int, int]:
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


def bench_funsd(folder: Path, limit: int, engines: list[str]) -> None:
    files = sorted((folder / "annotations").glob("*.json"))[:limit]
    totals: dict[str, list[int]] = {}
    seconds: dict[str, float] = {}
    for path in files:
        words, truth = funsd_truth(json.loads(path.read_text()))
        image = Image.open(folder / "images" / f"{path.stem}.png")
        runs: dict[str, list[tuple[str, str]]] = {}
        t = time.perf_counter()
        fields = extract_forms_from_words(words, image=image)
        seconds["gt-words"] = seconds.get("gt-words", 0.0) + time.perf_counter() - t
        runs["gt-words"] = [(norm(f.key), norm(f.value)) for f in fields if norm(f.value)]
        for name in engines:
            t = time.perf_counter()
            analysis = analyze_page(image, get_engine(name), page_number=1)
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t
            runs[name] = [(norm(f.key), norm(f.value)) for f in analysis.forms if norm(f.value)]
        for name, pred in runs.items():
            for relaxed in (False, True):
                acc = totals.setdefault(f"{name}{' relaxed' if relaxed else ''}", [0, 0, 0])
                for k, v in enumerate(score_pairs(pred, truth, relaxed)):
                    acc[k] += v
    print(f"\nFUNSD key->value pairs, {len(files)} forms (target F1 >= 0.80)")
    print(f"{'input':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'pred':>7}{'truth':>7}{'s/page':>8}")
    for name, (tp, npred, ntruth) in totals.items():
        p, r, score = f1(tp, npred, ntruth)
        per_page = seconds.get(name.split()[0], 0.0) / max(1, len(files))
        print(f"{name:<22}{p:>10.3f}{r:>8.3f}{score:>7.3f}{npred:>7}{ntruth:>7}{per_page:>8.2f}")


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
        inputs: dict[str, list[Line]] = {
            "gt-lines": sroie_truth_lines(folder / "box" / f"{key_path.stem}.csv")
        }
        for name in engines:
            page = get_engine(name).recognize(
                Image.open(folder / "img" / f"{key_path.stem}.jpg").convert("RGB")
            )
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
    parser.add_argument(
        "--engines", default="rapidocr", help="comma list: rapidocr,tesseract (or '' for none)"
    )
    parser.add_argument("--only", choices=["funsd", "sroie"], default=None)
    args = parser.parse_args()
    corpus = corpus_dir()
    if not corpus.exists():
        print(f"corpus not found at {corpus}; set DOCLEDGER_CORPUS")
        return 0
    engines = [e for e in args.engines.split(",") if e]
    if args.only in (None, "funsd"):
        bench_funsd(corpus / "funsd" / "train", args.limit, engines)
    if args.only in (None, "sroie"):
        bench_sroie(corpus / "sroie" / "dev", args.limit, engines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
