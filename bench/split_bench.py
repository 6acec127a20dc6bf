"""Package splitting: page-level boundary F1 on generated lending packages.

Each package stacks 3-8 generated documents (docledger.demo.lending; 1-3 pages each) in random
order; the truth is the first page of each. A predicted boundary counts as a true positive when
the page really starts a document (page 1 is excluded: it always starts one). Text comes from
the documents as written, optionally with OCR-like noise (--noise: character substitutions,
dropped characters and dropped short lines). Seeds >= 1000 were never looked at while setting
the splitter's weights (development used seeds < 100); the figures below come from them.

The real scanned package (../shared/corpus/idp/lending_package.pdf, 7 image-only pages, no
published truth) is OCR'd and its segmentation printed with --real, for inspection by eye.

    python bench/split_bench.py [--packages 200] [--seed-base 1000] [--noise 0.03] [--real]
"""

from __future__ import annotations

import argparse
import random
import string
from datetime import date

from docledger.demo.lending import GENERATED_TYPES, Borrower, random_doc
from docledger.doctypes.split import boundaries, segment


def noisy(text: str, rate: float, rng: random.Random) -> str:
    if rate <= 0:
        return text
    out_lines = []
    for line in text.splitlines():
        if len(line) < 12 and rng.random() < rate * 3:
            continue
        chars = []
        for ch in line:
            r = rng.random()
            if r < rate / 2:
                chars.append(rng.choice(string.ascii_letters + string.digits + ".,-"))
            elif r < rate:
                continue
            else:
                chars.append(ch)
        out_lines.append("".join(chars))
    return "\n".join(out_lines)


def run(packages: int, seed_base: int, noise: float) -> tuple[float, float, float, float]:
    tp = fp = fn = 0
    exact = 0
    for i in range(packages):
        rng = random.Random(seed_base + i)
        b = Borrower.random(rng)
        docs = [random_doc(rng.choice(GENERATED_TYPES), b, rng, date(2026, 11, 1)) for _ in range(rng.randint(3, 8))]
        pages, truth, n = [], set(), 1
        for d in docs:
            truth.add(n)
            for p in d.pages:
                pages.append(noisy("\n".join(p), noise, rng))
                n += 1
        pred = boundaries(segment(pages))
        t, p_ = truth - {1}, pred - {1}
        tp += len(t & p_)
        fp += len(p_ - t)
        fn += len(t - p_)
        exact += pred == truth
    prec = tp / max(1, tp + fp)
    rec = tp / max(1, tp + fn)
    f1 = 2 * prec * rec / max(1e-9, prec + rec)
    return prec, rec, f1, exact / packages


def real_package() -> None:
    from pathlib import Path

    from docledger.ocr.engines import get_engine
    from docledger.ocr.preprocess import render_pdf_page

    root = Path(__file__).resolve().parents[1]
    import os

    corpus = Path(os.environ.get("DOCLEDGER_CORPUS") or root.parent / "shared" / "corpus")
    pdf = corpus / "idp" / "lending_package.pdf"
    if not pdf.is_file():
        print(f"skipped: {pdf} not found")
        return
    import pypdfium2 as pdfium

    engine = get_engine("rapidocr")
    doc = pdfium.PdfDocument(str(pdf))
    n = len(doc)
    sizes: list[tuple[float, float] | None] = [tuple(doc[i].get_size()) for i in range(n)]  # type: ignore[misc]
    texts = []
    for i in range(n):
        page = engine.recognize(render_pdf_page(pdf, i, dpi=150))
        texts.append("\n".join(line.text for line in page.lines))
    for s in segment(texts, sizes=sizes):
        print(f"pages {s.first_page}-{s.last_page}: {s.doc_type} ({s.confidence:.2f})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", type=int, default=200)
    ap.add_argument("--seed-base", type=int, default=1000)
    ap.add_argument("--noise", type=float, default=0.03)
    ap.add_argument("--real", action="store_true")
    args = ap.parse_args()
    print(f"{'text':22} {'precision':>9} {'recall':>7} {'F1':>6} {'packages exact':>15}")
    for label, rate in (("clean text layer", 0.0), (f"OCR-like noise {args.noise:.0%}", args.noise)):
        p, r, f1, ex = run(args.packages, args.seed_base, rate)
        print(f"{label:22} {p:9.3f} {r:7.3f} {f1:6.3f} {ex:15.1%}")
    if args.real:
        real_package()


if __name__ == "__main__":
    main()
