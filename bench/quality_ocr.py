"""Character error rate of the OCR engines, side by side, on the Tesseract test images.

Data: ``corpus/ocr`` (tesseract-ocr/test ``testing/``): ``phototest.tif``, ``eurotext.tif`` and
the UNLV pages ``8071_093.3B.tif`` / ``8087_054.3B.tif`` with ``.txt`` ground truth, plus the
rotated phototest copies (same text) to exercise orientation detection.

CER = Levenshtein distance / ground-truth length, after collapsing all whitespace to single
spaces (line breaks and column order are layout, not recognition). Each engine reads the page
through ``analyze_page`` (normalise + OCR + reading order, no structure extraction). Target:
< 2 % on clean scans. CER depends on reading order, so multi-column pages read in another order
than the ground truth's zones score badly even when every word is right; the order-free word
recall printed next to it (share of ground-truth words found, as a multiset) tells recognition
apart from order. The first engine in ``--engines`` is the reference the others are compared to.

Run: ``python bench/quality_ocr.py [--limit N] [--engines rapidocr,tesseract]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from docledger.ocr.analyze import analyze_page  # noqa: E402
from docledger.ocr.engines import get_engine  # noqa: E402
from docledger.ocr.preprocess import load_image_pages  # noqa: E402

PAGES = [
    ("phototest.tif", "phototest.txt"),
    ("eurotext.tif", "eurotext.txt"),
    ("8071_093.3B.tif", "8071_093.3B.txt"),
    ("8087_054.3B.tif", "8087_054.3B.txt"),
    ("phototest-rotated-180.png", "phototest.txt"),
    ("phototest-rotated-L.png", "phototest.txt"),
    ("phototest-rotated-R.png", "phototest.txt"),
]


def corpus_dir() -> Path:
    env = os.environ.get("DOCLEDGER_CORPUS")
    return Path(env) if env else (ROOT / ".." / "shared" / "corpus").resolve()


def levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy row at a time: cur[j] = j + cummin(tmp[k] - k) folds the insertions."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bs = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1)
    previous = idx.copy()
    for i, ca in enumerate(a.encode("utf-32-le").decode("utf-32-le"), 1):
        tmp = np.empty_like(previous)
        tmp[0] = i
        tmp[1:] = np.minimum(previous[1:] + 1, previous[:-1] + (bs != ord(ca)))
        previous = idx + np.minimum.accumulate(tmp - idx)
    return int(previous[-1])


def word_recall(predicted: str, truth: str) -> float:
    """Share of ground-truth words (a multiset, case kept) that the OCR text contains, in any order."""
    found = Counter(predicted.split())
    wanted = Counter(truth.split())
    return sum(min(n, found[w]) for w, n in wanted.items()) / max(1, sum(wanted.values()))


def squash(text: str) -> str:
    return " ".join(text.split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=len(PAGES))
    parser.add_argument("--engines", default="rapidocr,tesseract")
    args = parser.parse_args()
    folder = corpus_dir() / "ocr"
    if not folder.exists():
        print(f"corpus not found at {folder}; set DOCLEDGER_CORPUS")
        return 0
    engines = [e for e in args.engines.split(",") if e]
    rows: list[tuple[str, dict[str, tuple[float, float, int, float]]]] = []
    totals = {e: [0, 0, 0.0, 0.0, 0] for e in engines}
    for image_name, truth_name in PAGES[: args.limit]:
        truth = squash((folder / truth_name).read_text(encoding="utf-8"))
        image = next(load_image_pages(folder / image_name))
        result: dict[str, tuple[float, float, int, float]] = {}
        for name in engines:
            started = time.perf_counter()
            analysis = analyze_page(image, get_engine(name), page_number=1, structure=False)
            seconds = time.perf_counter() - started
            errors = levenshtein(squash(analysis.text), truth)
            recall = word_recall(squash(analysis.text), truth)
            result[name] = (errors / max(1, len(truth)), seconds, analysis.normalization.rotation, recall)
            totals[name][0] += errors
            totals[name][1] += len(truth)
            totals[name][2] += seconds
            totals[name][3] += recall * len(truth.split())
            totals[name][4] += len(truth.split())
        rows.append((image_name, result))
    header = f"{'page':<28}" + "".join(f"{e + ' CER':>17}{'words':>7}{'s':>6}{'rot':>5}" for e in engines)
    print("OCR character error rate (whitespace-normalised; target < 2 % on clean scans); words = order-free recall")
    print(header)
    for name, result in rows:
        print(
            f"{name:<28}"
            + "".join(
                f"{result[e][0]:>16.2%}{result[e][3]:>8.1%}{result[e][1]:>6.2f}{result[e][2]:>5}" for e in engines
            )
        )
    print(
        f"{'ALL (char-weighted)':<28}"
        + "".join(
            f"{totals[e][0] / max(1, totals[e][1]):>16.2%}{totals[e][3] / max(1, totals[e][4]):>8.1%}"
            f"{totals[e][2]:>6.1f}{'':>5}"
            for e in engines
        )
    )
    ref = engines[0]
    ref_cer = totals[ref][0] / max(1, totals[ref][1])
    for e in engines[1:]:
        cer = totals[e][0] / max(1, totals[e][1])
        ratio = cer / ref_cer if ref_cer else float("inf")
        speed = totals[e][2] / totals[ref][2] if totals[ref][2] else float("inf")
        print(f"{e} vs {ref}: CER x{ratio:.2f}, time x{speed:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
