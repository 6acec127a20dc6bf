# ruff: noqa: E501
"""PII detection recall/precision per type on an international set of short texts.

Data: :mod:`bench.pii_corpus` (Faker in 23 locales plus hand-written casual sentences,
letters, résumé heads, forms, log lines; see its docstring). Two splits with disjoint
templates and locales: ``dev`` was used while building the recognizers, ``heldout`` was
not (only its totals were looked at). Names in the data come from Faker; docledger's
first-name gazetteer comes from the ``gender-guesser`` package, a different source.

Matching: a prediction is a true positive when its type matches a labelled value's type
and the spans overlap. docledger's US_ADDRESS is the address type; LOCATION findings
(a city or country) are neither counted right nor wrong (a city alone is not an address,
and a place name is not a false alarm). ``leaked`` is the share of labelled PII
characters that no finding of any type covers: what a redaction would leave readable.

Reference in the same run: stock Presidio (its predefined recognizers on the same spaCy
model, default score threshold 0.4 like ours).

Last, false positives on real, de-identified clinical notes (MTSamples dev, when the
corpus is present): every finding there counts as one, per 1,000 words.

Usage: python bench/quality_pii.py [--n 600] [--seed 7] [--notes 100]
Targets: recall >= 0.95, precision >= 0.90 (micro, heldout); MTSamples <= 0.9 per 1k words.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pii_corpus import Sample, generate  # noqa: E402

from docledger.nlp.pii import detect_pii, get_analyzer  # noqa: E402

TYPES = ["PERSON", "ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "EMAIL_ADDRESS", "US_SSN",
         "DATE_OF_BIRTH", "MEDICAL_RECORD_NUMBER"]  # fmt: skip
OURS_MAP = {"US_ADDRESS": "ADDRESS"}
STOCK_MAP = {"US_BANK_NUMBER": "BANK_ACCOUNT", "ABA_ROUTING_NUMBER": "ABA_ROUTING"}
NEUTRAL = {"LOCATION", "DATE_TIME", "NRP", "URL", "ORGANIZATION"}
Predict = Callable[[str], list[tuple[str, int, int]]]


def score(data: list[Sample], predict: Predict) -> tuple[Counter, Counter, Counter, float, float]:
    tp, fp, fn = Counter(), Counter(), Counter()
    gold_chars = leaked = 0
    t0 = time.perf_counter()
    for text, labels in data:
        preds = predict(text)
        covered = set()
        for _, s, e in preds:
            covered.update(range(s, e))
        matched: set[int] = set()
        for kind, s, e in preds:
            if kind in NEUTRAL:
                continue
            hit = next(
                (j for j, (k, ls, le) in enumerate(labels) if k == kind and s < le and ls < e and j not in matched),
                None,
            )
            if hit is None:
                if not any(k == kind and s < le and ls < e for k, ls, le in labels):
                    fp[kind] += 1  # a second finding inside the same value is not a false alarm
            else:
                tp[kind] += 1
                matched.add(hit)
        for j, (kind, s, e) in enumerate(labels):
            if j not in matched:
                fn[kind] += 1
            chars = [i for i in range(s, e) if not text[i].isspace()]
            gold_chars += len(chars)
            leaked += sum(1 for i in chars if i not in covered)
    return tp, fp, fn, leaked / max(1, gold_chars), time.perf_counter() - t0


def ours(text: str) -> list[tuple[str, int, int]]:
    return [(OURS_MAP.get(f["type"], f["type"]), f["start"], f["end"]) for f in detect_pii(text)]


def stock_predictor() -> Predict:
    from presidio_analyzer import AnalyzerEngine

    stock = AnalyzerEngine(nlp_engine=get_analyzer().nlp_engine, supported_languages=["en"])

    def predict(text: str) -> list[tuple[str, int, int]]:
        res = stock.analyze(text=text, language="en")
        return [(STOCK_MAP.get(r.entity_type, r.entity_type), r.start, r.end) for r in res if r.score >= 0.4]

    return predict


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return p, r


def report(title: str, data: list[Sample], runs: dict[str, Predict]) -> dict[str, tuple[float, float]]:
    results = {name: score(data, fn) for name, fn in runs.items()}
    names = list(runs)
    print(f"\n## {title}: {len(data)} texts, {sum(len(lb) for _, lb in data)} labelled values")
    head = f"{'type':<22}{'support':>8}" + "".join(f"{n + ' P':>14}{n + ' R':>12}" for n in names)
    print(head)
    for kind in TYPES:
        support = results[names[0]][0][kind] + results[names[0]][2][kind]
        row = f"{kind:<22}{support:>8}"
        for n in names:
            tp, fp, fn, _, _ = results[n]
            p, r = _pr(tp[kind], fp[kind], fn[kind])
            row += f"{p:>14.3f}{r:>12.3f}"
        print(row)
    out = {}
    for n in names:
        tp, fp, fn, leak, took = results[n]
        others = sorted(k for k in fp if k not in TYPES)
        if others:
            print(f"  {n}: other types reported (false positives): " + ", ".join(f"{k} {fp[k]}" for k in others))
    row = f"{'micro (all types)':<22}{sum(results[names[0]][0].values()) + sum(results[names[0]][2].values()):>8}"
    for n in names:
        tp, fp, fn, leak, took = results[n]
        p, r = _pr(sum(tp.values()), sum(fp.values()), sum(fn.values()))
        out[n] = (p, r)
        row += f"{p:>14.3f}{r:>12.3f}"
    print(row)
    for n in names:
        leak, took = results[n][3], results[n][4]
        print(f"  {n}: {100 * leak:.1f} % of PII characters left uncovered; {1000 * took / len(data):.1f} ms/text")
    return out


def corpus_root() -> Path:
    env = os.environ.get("DOCLEDGER_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def real_text_noise(notes: int, stock: Predict) -> None:
    """Findings per type on de-identified MTSamples notes (every finding there is noise)."""
    path = corpus_root() / "mtsamples" / "dev.csv"
    if not path.is_file():
        print("\nMTSamples not found: real-text noise not measured")
        return
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for _, r in zip(range(notes), csv.DictReader(fh), strict=False)]
    counts: Counter = Counter()
    stock_counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    words = 0
    t0 = time.perf_counter()
    for row in rows:
        text = row["transcription"]
        words += len(text.split())
        for f in detect_pii(text):
            counts[f["type"]] += 1
            examples.setdefault(f["type"], []).append(f["text"])
        stock_counts.update(k for k, _, _ in stock(text) if k not in ("DATE_TIME", "NRP", "ORGANIZATION"))
    took = time.perf_counter() - t0
    total, stock_total = sum(counts.values()), sum(stock_counts.values())
    print(
        f"\n## MTSamples dev, first {len(rows)} de-identified notes, {words} words ({1000 * took / words:.2f} ms/word, both runs)"
    )
    print(f"docledger: {total} findings = {1000 * total / words:.2f} per 1,000 words (target <= 0.9)")
    print(
        f"stock Presidio (without DATE_TIME, NRP, ORGANIZATION): {stock_total} = {1000 * stock_total / words:.2f} per 1,000 words"
    )
    for kind, c in counts.most_common():
        print(f"  {kind:<24}{c:>5}  ({1000 * c / words:.2f} per 1k words)  e.g. {examples[kind][:6]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=600, help="texts per split")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--notes", type=int, default=100, help="MTSamples notes (0: skip)")
    ap.add_argument("--split", choices=["dev", "heldout", "both"], default="both")
    args = ap.parse_args()
    get_analyzer()
    ours("warm up")
    stock = stock_predictor()
    runs = {"docledger": ours, "stock": stock}
    for split in ["dev", "heldout"] if args.split == "both" else [args.split]:
        report(f"{split} split", generate(split, args.n, args.seed), runs)
    if args.notes:
        real_text_noise(args.notes, stock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
