"""Field extraction accuracy on generated lending documents (W-2, pay stub, bank statement, 1003).

Documents come from docledger.demo.lending with seeds the extractor was never tuned on
(--seed-base, default 1000; development used seeds < 100). A field counts as correct when its
normalised value equals the value written into the document. Reported per type: accuracy,
the share of fields that go to review (confidence < threshold or invalid) and the accuracy of
the fields that do not (straight-through accuracy). Text comes from the PDF text layer
(--scanned renders pages to images and runs OCR through the pipeline's engine: slower).

    python bench/fields_bench.py [--docs 40] [--seed-base 1000]
"""

from __future__ import annotations

import argparse
import random
from datetime import date

from docledger.demo.lending import Borrower, random_doc
from docledger.fields.extract import extract_fields

TYPES = ("w2", "pay-stub", "bank-statement", "urla-1003")


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) < 0.005  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return str(a) == str(b)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=40)
    ap.add_argument("--seed-base", type=int, default=1000)
    args = ap.parse_args()
    print(f"{'type':16} {'fields':>6} {'accuracy':>9} {'to review':>9} {'STP acc':>8}")
    tot = [0, 0, 0, 0]
    for t in TYPES:
        n = ok = review = stp_ok = 0
        for i in range(args.docs):
            rng = random.Random(args.seed_base + i)
            doc = random_doc(t, Borrower.random(rng), rng, date(2026, 11, 1))
            pages = [{"page": k + 1, "text": "\n".join(p)} for k, p in enumerate(doc.pages)]
            for f in extract_fields(t, pages)["fields"]:
                if f["field"] not in doc.fields:
                    continue
                n += 1
                good = same(f["normalized"], doc.fields[f["field"]])
                ok += good
                if not f["valid"] or f["confidence"] < f["review_threshold"]:
                    review += 1
                else:
                    stp_ok += good
        stp = n - review
        print(f"{t:16} {n:6d} {ok / n:9.1%} {review / n:9.1%} {stp_ok / max(1, stp):8.1%}")
        tot = [tot[0] + n, tot[1] + ok, tot[2] + review, tot[3] + stp_ok]
    n, ok, review, stp_ok = tot
    print(f"{'all':16} {n:6d} {ok / n:9.1%} {review / n:9.1%} {stp_ok / max(1, n - review):8.1%}")


if __name__ == "__main__":
    main()
