# ruff: noqa: E501
"""PII detection precision/recall per type on labelled synthetic sentences.

Sentences are generated from templates (seeded) with the PII values' spans known, in the
phrasings a loan file or a clinical note uses, plus distractor sentences that carry
look-alike numbers with no PII meaning (invoice totals, lab values, visit dates, invalid
routing numbers). A prediction counts as a true positive when its type matches and its
span overlaps a labelled span of that type.

Reference in the same run: Presidio's stock recognizers on the same spaCy model, with its
own type names mapped to ours (US_BANK_NUMBER -> BANK_ACCOUNT, ABA_ROUTING_NUMBER ->
ABA_ROUTING), i.e. what docledger would report without its recognizers and filters.

Caveat: the templates were written alongside the recognizers, so these figures are an
upper bound; the MTSamples section (de-identified clinical notes, when the corpus is
present) counts what is reported on real text, where nearly every finding is noise.

Usage: python bench/quality_pii.py [--n 600] [--seed 11]
Targets: recall >= 0.90 and precision >= 0.85 per type.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from docledger.nlp.pii import DEFAULT_TYPES, detect_pii, get_analyzer  # noqa: E402

FIRST = "Maria James Robert Linda Michael Patricia David Jennifer William Elizabeth Ahmed Mei Carlos Priya".split()
LAST = "Garcia Johnson Williams Brown Jones Miller Davis Martinez Lopez Wilson Anderson Thomas Nguyen Patel".split()
STREETS = "Maple Oak Pine Cedar Elm Washington Lake Hill Sunset Park River Church Highland Madison".split()
SUFFIX = "Street St Avenue Ave Road Rd Drive Dr Lane Ln Boulevard Blvd Court Way".split()
CITIES = [("Springfield", "IL"), ("Austin", "TX"), ("Denver", "CO"), ("Columbus", "OH"), ("Portland", "OR"),
          ("Atlanta", "GA"), ("Madison", "WI"), ("Richmond", "VA")]  # fmt: skip
ABA = ["021000021", "011000015", "026009593", "121000248", "111000025", "031176110", "322271627", "071000013"]
MONTHS = "January February March April May June July August September October November December".split()


def ssn(r: random.Random) -> str:
    return f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"


def phone(r: random.Random) -> str:
    a, b, c = r.randint(201, 989), r.randint(200, 989), r.randint(1000, 9999)
    return r.choice([f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}"])


def name(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def email(r: random.Random) -> str:
    return f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}{r.randint(1, 99)}@{r.choice(['example.com', 'mail.org'])}"


def address(r: random.Random) -> str:
    city, st = r.choice(CITIES)
    unit = r.choice(["", f", Apt {r.randint(1, 40)}", f" Suite {r.randint(100, 900)}"])
    return f"{r.randint(10, 9999)} {r.choice(STREETS)} {r.choice(SUFFIX)}{unit}, {city}, {st} {r.randint(10000, 99999)}"


def itin(r: random.Random) -> str:
    return f"9{r.randint(10, 99)}-{r.choice([r.randint(70, 88), r.randint(50, 65)])}-{r.randint(1000, 9999)}"


def dob(r: random.Random) -> str:
    m, d, y = r.randint(1, 12), r.randint(1, 28), r.randint(1930, 2005)
    return r.choice([f"{m:02d}/{d:02d}/{y}", f"{MONTHS[m - 1]} {d}, {y}", f"{y}-{m:02d}-{d:02d}"])


def mrn(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randint(10**6, 10**8)}",
            f"MR{r.randint(10**5, 10**7)}",
            f"{r.randint(100, 999)}-{r.randint(1000, 9999)}",
        ]
    )


def account(r: random.Random) -> str:
    return str(r.randint(10**7, 10**12))


# (template, {slot: (type, generator)})
Gen = Callable[[random.Random], str]
TEMPLATES: list[tuple[str, dict[str, tuple[str, Gen]]]] = [
    ("Borrower {n} provided SSN {s} on the application.", {"n": ("PERSON", name), "s": ("US_SSN", ssn)}),
    ("Please call {n} at {p} to confirm the appraisal.", {"n": ("PERSON", name), "p": ("PHONE_NUMBER", phone)}),
    ("Send the closing disclosure to {e} by Friday.", {"e": ("EMAIL_ADDRESS", email)}),
    ("The subject property is located at {a}.", {"a": ("US_ADDRESS", address)}),
    ("Mailing address: {a}", {"a": ("US_ADDRESS", address)}),
    ("Wire funds to routing number {r}, account number {c}.", {"r": ("ABA_ROUTING", lambda r: r.choice(ABA)),
                                                             "c": ("BANK_ACCOUNT", account)}),
    ("ABA {r} / Acct # {c} (checking)", {"r": ("ABA_ROUTING", lambda r: r.choice(ABA)), "c": ("BANK_ACCOUNT", account)}),
    ("Applicant's ITIN is {i} per the W-7 letter.", {"i": ("US_ITIN", itin)}),
    ("Patient {n}, DOB: {d}, was admitted for chest pain.", {"n": ("PERSON", name), "d": ("DATE_OF_BIRTH", dob)}),
    ("{n} was born on {d} in the county hospital.", {"n": ("PERSON", name), "d": ("DATE_OF_BIRTH", dob)}),
    ("MRN: {m}. Patient seen in clinic today.", {"m": ("MEDICAL_RECORD_NUMBER", mrn)}),
    ("Medical record number {m} was merged with the old chart.", {"m": ("MEDICAL_RECORD_NUMBER", mrn)}),
    ("Date of birth {d}; SSN {s}; phone {p}.", {"d": ("DATE_OF_BIRTH", dob), "s": ("US_SSN", ssn), "p": ("PHONE_NUMBER", phone)}),
    ("Dr. {n} reviewed the results with the family.", {"n": ("PERSON", name)}),
    ("The co-borrower, {n}, can be reached at {e}.", {"n": ("PERSON", name), "e": ("EMAIL_ADDRESS", email)}),
]  # fmt: skip
# Phrasings written after the recognizers, to probe formats they were not tuned on.
VARIANTS: list[tuple[str, dict[str, tuple[str, Gen]]]] = [
    ("SSN:{s}", {"s": ("US_SSN", lambda r: ssn(r).replace("-", ""))}),
    ("Social Security No. {s} (verified)", {"s": ("US_SSN", lambda r: ssn(r).replace("-", " "))}),
    (
        "Tel. {p} ext 4",
        {
            "p": (
                "PHONE_NUMBER",
                lambda r: f"+1 {r.randint(201, 989)} {r.randint(200, 989)} {r.randint(1000, 9999)}",
            )
        },
    ),
    ("You can call me on {p} after 5pm.", {"p": ("PHONE_NUMBER", phone)}),
    ("Acct: {c}", {"c": ("BANK_ACCOUNT", lambda r: f"{r.randint(0, 9999):04d}{r.randint(10**7, 10**8)}")}),
    (
        "a/c no. {c} at First Bank",
        {"c": ("BANK_ACCOUNT", lambda r: f"{r.randint(10, 99)}-{r.randint(1000, 9999)}-{r.randint(10, 99)}")},
    ),
    ("RTN {r}", {"r": ("ABA_ROUTING", lambda r: r.choice(ABA))}),
    ("ABA#: {r} for the escrow wire", {"r": ("ABA_ROUTING", lambda r: r.choice(ABA))}),
    (
        "D.O.B. {d}",
        {"d": ("DATE_OF_BIRTH", lambda r: f"{r.randint(1, 12)}/{r.randint(1, 28)}/{r.randint(30, 99)}")},
    ),
    (
        "birthdate: {d}",
        {
            "d": (
                "DATE_OF_BIRTH",
                lambda r: f"{r.randint(1930, 2005)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
            )
        },
    ),
    (
        "Born {d}, the second of three children.",
        {
            "d": (
                "DATE_OF_BIRTH",
                lambda r: f"{r.randint(1, 28)} {r.choice(MONTHS)[:3]} {r.randint(1930, 2005)}",
            )
        },
    ),
    ("MRN#{m}", {"m": ("MEDICAL_RECORD_NUMBER", lambda r: str(r.randint(10**6, 10**8)))}),
    ("Med Rec No: {m}", {"m": ("MEDICAL_RECORD_NUMBER", lambda r: f"A{r.randint(10**6, 10**7)}")}),
    ("ITIN {i}", {"i": ("US_ITIN", lambda r: itin(r).replace("-", ""))}),
    (
        "Ship to {a}.",
        {
            "a": (
                "US_ADDRESS",
                lambda r: r.choice(
                    [
                        "742 Evergreen Terrace, Springfield, OR 97477",
                        "1600 Pennsylvania Ave NW, Washington, DC 20500",
                        "350 5th Ave, New York, NY 10118",
                        "4059 Mt Lee Dr, Hollywood, CA 90068",
                        "P.O. Box 1142, Dayton, OH 45401",
                    ]
                ),
            )
        },
    ),
    ("Signed by {n} on behalf of the estate.", {"n": ("PERSON", name)}),
    ("{n} and {m} co-signed the note.", {"n": ("PERSON", name), "m": ("PERSON", name)}),
]
DISTRACTORS: list[Callable[[random.Random], str]] = [
    lambda r: f"Invoice {r.randint(10**6, 10**9)} totals ${r.randint(100, 9999)}.{r.randint(10, 99)}.",
    lambda r: f"Hemoglobin {r.randint(8, 16)}.{r.randint(0, 9)}, platelets {r.randint(100, 400)}, INR {r.randint(0, 2)}.{r.randint(10, 99)}.",
    lambda r: f"The follow-up visit is on {r.randint(1, 12):02d}/{r.randint(1, 28):02d}/2024 at 10:30 a.m.",
    lambda r: f"Reference {r.randint(100000000, 999999999)} is not a routing number.",
    lambda r: f"Take {r.randint(1, 500)} mg twice daily for {r.randint(2, 14)} days.",
    lambda r: f"Loan amount ${r.randint(100, 900)},000 at {r.randint(3, 8)}.{r.randint(0, 99):02d}% for 30 years.",
]  # fmt: skip


def generate(n: int, seed: int, templates=TEMPLATES) -> list[tuple[str, list[tuple[str, int, int]]]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 5 == 4:
            out.append((rng.choice(DISTRACTORS)(rng), []))
            continue
        template, slots = rng.choice(templates)
        text, labels, pos = "", [], 0
        for part in template.replace("{", "\0{").split("\0"):
            if part.startswith("{"):
                key, rest = part[1:].split("}", 1)
                kind, gen = slots[key]
                value = gen(rng)
                labels.append((kind, len(text), len(text) + len(value)))
                text += value + rest
            else:
                text += part
        out.append((text, labels))
        pos += 1
    return out


def score(data, predict) -> tuple[Counter, Counter, Counter, float]:
    tp, fp, fn = Counter(), Counter(), Counter()
    t0 = time.perf_counter()
    for text, labels in data:
        preds = predict(text)
        matched = set()
        for kind, s, e in preds:
            hit = next(
                (
                    j
                    for j, (k, ls, le) in enumerate(labels)
                    if k == kind and s < le and ls < e and j not in matched
                ),
                None,
            )
            if hit is None:
                fp[kind] += 1
            else:
                tp[kind] += 1
                matched.add(hit)
        for j, (kind, _, _) in enumerate(labels):
            if j not in matched:
                fn[kind] += 1
    return tp, fp, fn, time.perf_counter() - t0


def ours(text: str) -> list[tuple[str, int, int]]:
    return [(f["type"], f["start"], f["end"]) for f in detect_pii(text)]


STOCK_MAP = {"US_BANK_NUMBER": "BANK_ACCOUNT", "ABA_ROUTING_NUMBER": "ABA_ROUTING"}


def stock_predictor() -> Callable[[str], list[tuple[str, int, int]]]:
    from presidio_analyzer import AnalyzerEngine

    engine = get_analyzer().nlp_engine
    stock = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def predict(text: str) -> list[tuple[str, int, int]]:
        res = stock.analyze(text=text, language="en")
        return [(STOCK_MAP.get(r.entity_type, r.entity_type), r.start, r.end) for r in res if r.score >= 0.4]

    return predict


def report(title: str, tp: Counter, fp: Counter, fn: Counter, took: float, n: int) -> None:
    print(f"\n{title}  ({n} sentences, {took:.1f} s, {1000 * took / n:.1f} ms/sentence)")
    print(f"{'type':<24}{'support':>8}{'precision':>11}{'recall':>9}")
    for kind in DEFAULT_TYPES:
        support = tp[kind] + fn[kind]
        if support == 0 and fp[kind] == 0:
            continue
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else float("nan")
        r = tp[kind] / support if support else float("nan")
        flag = "" if (support == 0 or (r >= 0.90 and p >= 0.85)) else "  <- below target"
        print(f"{kind:<24}{support:>8}{p:>11.3f}{r:>9.3f}{flag}")
    others = sorted(k for k in fp if k not in DEFAULT_TYPES)
    if others:
        print(
            "  other types reported (all false positives here): " + ", ".join(f"{k} {fp[k]}" for k in others)
        )
    all_tp = sum(tp[k] for k in DEFAULT_TYPES)
    all_fp = sum(fp.values())
    all_fn = sum(fn[k] for k in DEFAULT_TYPES)
    print(
        f"{'micro (all types)':<24}{all_tp + all_fn:>8}{all_tp / (all_tp + all_fp):>11.3f}{all_tp / (all_tp + all_fn):>9.3f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    get_analyzer()
    data = generate(args.n, args.seed)
    ours("warm up")
    report("docledger detect_pii", *score(data, ours), args.n)
    report(
        "reference: stock Presidio recognizers (same spaCy model)", *score(data, stock_predictor()), args.n
    )
    variants = generate(args.n // 2, args.seed + 1, VARIANTS)
    report("docledger detect_pii on variant phrasings (not tuned on)", *score(variants, ours), len(variants))
    real_text_noise()
    return 0


def real_text_noise(notes: int = 100) -> None:
    """Findings per type on de-identified MTSamples notes (no real PII left in them)."""
    import csv
    from pathlib import Path

    env = os.environ.get("DOCLEDGER_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    path = root / "mtsamples" / "dev.csv"
    if not path.is_file():
        print("\nMTSamples not found: real-text noise not measured")
        return
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for _, r in zip(range(notes), csv.DictReader(fh), strict=False)]
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    words = 0
    t0 = time.perf_counter()
    for row in rows:
        text = row["transcription"]
        words += len(text.split())
        for f in detect_pii(text):
            counts[f["type"]] += 1
            examples.setdefault(f["type"], []).append(f["text"])
    took = time.perf_counter() - t0
    print(
        f"\nMTSamples, {len(rows)} de-identified notes, {words} words, {took:.1f} s ({1000 * took / words:.2f} ms/word)"
    )
    for kind, c in counts.most_common():
        print(f"  {kind:<24}{c:>5}  ({1000 * c / words:.2f} per 1k words)  e.g. {examples[kind][:5]}")


if __name__ == "__main__":
    sys.exit(main())
