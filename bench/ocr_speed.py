"""Default OCR engine speed and accuracy on clean generated scans, against the raw engine in the same run.

Pages: generated letter pages at 200 dpi (1700 x 2200, ~25 lines, known text), like clean office
scans. Configurations, interleaved page by page so that load on a shared machine hits all alike:

* ``rapidocr-reference`` — rapidocr as shipped (detection at full size, spinning threads): the reference;
* ``rapidocr`` — the default engine (``profile="fast"``: detection long side <= 1280, no spinning);
* ``tesseract`` — tesserocr (the second engine);
* ``auto`` — tesseract when its confidences say the page is clean, else rapidocr (per page).

Two timings per configuration: the engine alone (``recognize``) and the page analysis the ``ocr``
stage runs before structure extraction (orientation, deskew, resize, OCR, reading order). The
orientation step itself is timed both ways: tesseract OSD and the bundled classifier's fast path.
CER = Levenshtein distance over whitespace-collapsed text / ground-truth length.

Run: ``python bench/ocr_speed.py [--pages 4]``. Absolute seconds depend on the load; the ratios
against the reference measured in the same run are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from quality_ocr import levenshtein, squash  # noqa: E402

from docledger.ocr.analyze import analyze_page  # noqa: E402
from docledger.ocr.engines import create_engine  # noqa: E402
from docledger.ocr.layout import page_text  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = (
    "loan escrow balance payment borrower interest principal statement account deposit transfer routing "
    "holder amount period insurance premium coverage claim mortgage lender closing disclosure rate "
    "annual fee invoice receipt patient policy"
).split()
CONFIGS = ("rapidocr-reference", "rapidocr", "tesseract", "auto")


def clean_page(i: int) -> tuple[Image.Image, str]:
    img = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30)
    lines = []
    for row in range(25):
        words = [WORDS[(i * 11 + row * 7 + k * 3) % len(WORDS)] for k in range(7)]
        text = f"{row + 1 + i * 25}. " + " ".join(words) + f" {(i * 37 + row * 13) % 1000}.{row:02d}"
        draw.text((150, 150 + row * 75), text, font=font, fill=0)
        lines.append(text)
    return img, "\n".join(lines)


def cer(predicted: str, truth: str) -> float:
    p, t = squash(predicted), squash(truth)
    return levenshtein(p, t) / max(1, len(t))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=4)
    args = parser.parse_args()
    engines = {name: create_engine(name) for name in CONFIGS}
    warm, _ = clean_page(99)
    for engine in engines.values():
        engine.recognize(warm.crop((0, 0, 1700, 400)))
    pages = [clean_page(i) for i in range(args.pages)]
    raw = {n: 0.0 for n in CONFIGS}
    full = {n: 0.0 for n in CONFIGS}
    errors = {n: [0, 0] for n in CONFIGS}
    for image, truth in pages:
        for name, engine in engines.items():
            t = time.perf_counter()
            engine.recognize(image)
            raw[name] += time.perf_counter() - t
            t = time.perf_counter()
            analysis = analyze_page(image, engine, page_number=1, structure=False)
            full[name] += time.perf_counter() - t
            errors[name][0] += levenshtein(squash(page_text(analysis.ocr)), squash(truth))
            errors[name][1] += len(squash(truth))
    n = len(pages)
    ref_raw, ref_full = raw[CONFIGS[0]] / n, full[CONFIGS[0]] / n
    print(f"\nClean generated scans, 1700 x 2200 px (200 dpi), {n} pages; load {os.getloadavg()[0]:.1f}")
    print(f"{'configuration':<20}{'engine s/page':>14}{'x ref':>7}{'analysis s/page':>17}{'x ref':>7}{'CER':>8}")
    for name in CONFIGS:
        r, f = raw[name] / n, full[name] / n
        c = errors[name][0] / max(1, errors[name][1])
        print(f"{name:<20}{r:>14.2f}{r / ref_raw:>7.2f}{f:>17.2f}{f / ref_full:>7.2f}{100 * c:>7.2f}%")

    from docledger.ocr.orientation import get_classifier
    from docledger.ocr.preprocess import _osd

    classifier = get_classifier()
    osd = fast = 0.0
    for image, _ in pages:
        t = time.perf_counter()
        _osd(image)
        osd += time.perf_counter() - t
        if classifier:
            t = time.perf_counter()
            classifier.predict(image)
            fast += time.perf_counter() - t
    if classifier:
        print(
            f"orientation: tesseract OSD {osd / n:.3f} s/page, classifier {fast / n:.3f} s/page "
            f"({fast / max(osd, 1e-9):.2f}x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
