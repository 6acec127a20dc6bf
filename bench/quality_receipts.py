"""Receipt fields on the HELD-OUT SROIE development receipts: learned rows + engine vote vs the rules.

Data: ``corpus/sroie/dev``; only the fixed held-out quarter (ids with ``int(id) % 4 == 3``, 25
receipts) that ``scripts/train_receipts.py`` never reads. Fields compare exactly after
normalisation: company and address as lowercase letters and digits, dates as ISO dates, totals
as decimals (the same scoring as ``bench/quality_forms.py``).

Inputs, each scored with the reference (the hand-written rules, ``rule_fields``) and the new
reading (``read_receipt``: row model for company/address, vote + arithmetic for total/date) in
the same run:

* ``gt-lines`` — the annotation's own text lines (``box/*.csv``);
* ``ocr`` — the default engine through the page analysis the ``ocr`` stage runs (orientation,
  deskew, resize, reading order), boxes turned upright as the stage does; ``ocr+vote`` adds the
  second engine's reading of the same upright page (what the stage does for receipts);
* ``--pipeline`` — the documents through register -> classify -> ocr (the CLI's path), fields
  read back from ``fields.json``.

Also printed: mean confidence per field next to accuracy, and the expected calibration error
(10 bins) over all fields of the reading.

Run: ``python bench/quality_receipts.py [--limit 25] [--no-ocr] [--pipeline]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from PIL import Image  # noqa: E402
from quality_forms import field_ok, sroie_truth_lines  # noqa: E402

from docledger.ocr.receipt_lines import held_out  # noqa: E402
from docledger.ocr.receipt_read import FIELDS, read_receipt  # noqa: E402
from docledger.ocr.receipts import rule_fields  # noqa: E402
from docledger.ocr.types import Line  # noqa: E402


def corpus_dir() -> Path:
    env = os.environ.get("DOCLEDGER_CORPUS")
    return Path(env) if env else (ROOT / ".." / "shared" / "corpus").resolve()


def upright_ocr(image: Image.Image) -> tuple[list[Line], list[Line], float, float]:
    """Default-engine lines (upright frame) as the ocr stage sees them, the other engine's, and both times."""
    from docledger.ocr.analyze import analyze_page
    from docledger.ocr.engines import get_engine
    from docledger.ocr.preprocess import rotate_upright
    from docledger.settings import Settings

    primary = Settings().ocr_engine
    t = time.perf_counter()
    analysis = analyze_page(image, get_engine(primary), page_number=1, structure=False)
    first = time.perf_counter() - t
    upright_image, upright_page = analysis.upright(image)
    t = time.perf_counter()
    other = "tesseract" if primary != "tesseract" else "rapidocr"
    second = get_engine(other).recognize(rotate_upright(image.convert("L"), analysis.normalization.rotation))
    return upright_page.lines, second.lines, first, time.perf_counter() - t


def pipeline_fields(images: list[Path]) -> dict[str, dict]:
    from docledger.ledger import Ledger
    from docledger.settings import Settings
    from docledger.stages import discover
    from docledger.worker import Worker

    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="docledger-bench-") as home:
        settings = Settings(home=Path(home))
        ledger = Ledger(settings, stages=discover(settings, only=["classify", "ocr"]))
        ids = {ledger.ingest_path(p).document_id: p.stem for p in images}
        Worker(ledger).run(until_idle=True)
        for doc_id, stem in ids.items():
            arts = [a for a in ledger.artifacts(doc_id) if a["kind"] == "fields-json"]
            out[stem] = json.loads(ledger.blobs.read(arts[0]["sha256"])) if arts else {}
        ledger.close()
    return out


def ece(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    total = len(pairs)
    if not total:
        return 0.0
    err = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inside:
            err += (
                len(inside)
                / total
                * abs(sum(c for c, _ in inside) / len(inside) - sum(ok for _, ok in inside) / len(inside))
            )
    return err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=25)
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--pipeline", action="store_true", help="also run the documents through the pipeline")
    args = parser.parse_args()
    folder = corpus_dir() / "sroie" / "dev"
    if not folder.exists():
        print(f"corpus not found at {folder}; set DOCLEDGER_CORPUS")
        return 0
    keys = [k for k in sorted((folder / "key").glob("*.json")) if held_out(k.stem)][: args.limit]
    hits: dict[str, dict[str, int]] = {}
    calib: dict[str, list[tuple[float, bool]]] = {}
    seconds = {"primary": 0.0, "second": 0.0}
    misses: list[str] = []

    def score(name: str, stem: str, got: dict, truth: dict, conf: dict | None = None) -> None:
        acc = hits.setdefault(name, dict.fromkeys(FIELDS, 0))
        for f in FIELDS:
            ok = field_ok(f, got.get(f), truth[f])
            acc[f] += ok
            if conf is not None:
                calib.setdefault(name, []).append((float(conf.get(f, 0.0)), ok))
            if not ok and name in ("ocr+vote", "pipeline") and len(misses) < 30:
                misses.append(f"  {name} {stem} {f}: got {got.get(f)!r}, truth {truth[f]!r}")

    for key in keys:
        truth = json.loads(key.read_text())
        gt = sroie_truth_lines(folder / "box" / f"{key.stem}.csv")
        score("gt-lines rules", key.stem, rule_fields(gt), truth)
        reading = read_receipt(gt)
        score("gt-lines model", key.stem, reading.values(), truth, reading.confidence)
        if args.no_ocr:
            continue
        image = Image.open(folder / "img" / f"{key.stem}.jpg").convert("RGB")
        lines, second, t1, t2 = upright_ocr(image)
        seconds["primary"] += t1
        seconds["second"] += t2
        score("ocr rules", key.stem, rule_fields(lines), truth)
        reading = read_receipt(lines)
        score("ocr model", key.stem, reading.values(), truth, reading.confidence)
        voted = read_receipt(lines, alternatives=[second])
        score("ocr+vote", key.stem, voted.values(), truth, voted.confidence)
    if args.pipeline:
        got = pipeline_fields([folder / "img" / f"{k.stem}.jpg" for k in keys])
        for key in keys:
            fields = got.get(key.stem, {})
            score("pipeline", key.stem, fields, json.loads(key.read_text()), fields.get("field_confidence", {}))

    n = len(keys)
    print(
        f"\nSROIE held-out receipts (ids % 4 == 3), {n} receipts: exact after normalisation "
        "(targets: company, address >= 90 %; date, total >= 97 %)"
    )
    print(f"{'input':<18}" + "".join(f"{f:>10}" for f in FIELDS) + f"{'mean':>8}{'ECE':>7}")
    for name, acc in hits.items():
        vals = [100.0 * acc[f] / max(1, n) for f in FIELDS]
        e = f"{ece(calib[name]):>7.3f}" if name in calib else f"{'':>7}"
        print(f"{name:<18}" + "".join(f"{v:>9.1f}%" for v in vals) + f"{sum(vals) / 4:>7.1f}%" + e)
    for name, pairs in calib.items():
        per = {f: pairs[i::4] for i, f in enumerate(FIELDS)}
        print(
            f"mean confidence {name:<14}"
            + "".join(f"{f}={sum(c for c, _ in p) / max(1, len(p)):.2f} " for f, p in per.items())
        )
    if not args.no_ocr and n:
        print(
            f"OCR seconds per receipt: default engine {seconds['primary'] / n:.2f} (page analysis), "
            f"second engine {seconds['second'] / n:.2f}"
        )
    if misses:
        print("misses:")
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
