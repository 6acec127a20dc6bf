"""OCR through the governed pipeline vs the raw engine, measured in the same run.

(a) The same N scanned pages (an image-only PDF per page, rendered like a 200-dpi scan):
    raw = render + ``analyze_page`` called directly (no ledger), vs
    pipeline = register -> classify -> ocr (page image, ocr.json, text, forms, tables, searchable
    PDF, lineage, operations) with one worker in this process.  Target ratio <= 1.15.
(b) The same pages as multi-page documents through 1 worker process vs 2 worker processes
    (``docledger worker --until-idle``).  Target speed-up >= 1.8x (on 2 cores).
(c) Worker RSS over ``--rss-pages`` pages with the OCR models loaded (peak and growth after warm-up).

(b) also prints a one-core reference (1 process, 1 ONNX thread) and when each process exited.

Usage: python bench/ocr_overhead.py [--pages 20] [--engine rapidocr] [--rss-pages 60] [--parts abc]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORDS = (
    "loan escrow balance payment borrower interest principal statement account deposit "
    "transfer routing holder amount period insurance premium coverage claim"
).split()


def scan_page(i: int) -> Image.Image:
    """A letter page at 200 dpi with ~25 lines of text, like a clean office scan."""
    img = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30)
    for row in range(25):
        words = [WORDS[(i * 7 + row * 3 + k) % len(WORDS)] for k in range(8)]
        draw.text((150, 150 + row * 75), f"{row + 1}. " + " ".join(words), font=font, fill=0)
    return img


def write_pdf(images: list[Image.Image], path: Path) -> None:
    rgb = [im.convert("RGB") for im in images]
    rgb[0].save(path, "PDF", save_all=True, append_images=rgb[1:], resolution=200.0)


def only_stages(names: tuple[str, ...]) -> dict:
    from docledger.settings import Settings
    from docledger.stages import discover

    return discover(Settings(), only=list(names))


def raw(pdfs: list[Path], engine_name: str) -> float:
    from docledger.ocr.analyze import analyze_page
    from docledger.ocr.engines import get_engine
    from docledger.ocr.preprocess import render_pdf_page

    engine = get_engine(engine_name)
    t = time.perf_counter()
    for p in pdfs:
        analyze_page(render_pdf_page(p, 0, dpi=200), engine, page_number=1)
    return time.perf_counter() - t


def pipeline(pdfs: list[Path], engine_name: str, home: Path) -> float:
    from docledger.ledger import Ledger
    from docledger.settings import Settings
    from docledger.stages import discover
    from docledger.worker import Worker

    settings = Settings(home=home, ocr_engine=engine_name)
    ledger = Ledger(settings, stages=discover(settings, only=["classify", "ocr"]))
    t = time.perf_counter()
    for p in pdfs:
        ledger.ingest_path(p)
    Worker(ledger).run(until_idle=True)
    elapsed = time.perf_counter() - t
    statuses = {d["status"] for d in ledger.list_documents()}
    ledger.close()
    assert statuses == {"SUCCEEDED"}, statuses
    return elapsed


def processes(
    docs: list[Path], n: int, engine_name: str, home: Path, *, threads: int | None = None
) -> tuple[float, list[float]]:
    """Wall seconds for ``n`` worker processes to drain the queue, and when each process exited.

    ``threads`` is the ONNX intra-op pool per process; by default what ``docledger worker
    --concurrency n`` does: the cores shared between the processes."""
    threads = threads or max(1, (os.cpu_count() or 1) // n)
    env = {
        **os.environ,
        "DOCLEDGER_HOME": str(home),
        "DOCLEDGER_OCR_ENGINE": engine_name,
        "DOCLEDGER_COMPUTE_THREADS": str(threads),
    }
    exe = str(Path(sys.executable).parent / "docledger")
    subprocess.run([exe, "ingest", *map(str, docs)], env=env, check=True, capture_output=True)
    t = time.perf_counter()
    procs = [
        subprocess.Popen([exe, "worker", "--until-idle", "--stage", "classify", "--stage", "ocr"], env=env)
        for _ in range(n)
    ]
    exits = [0.0] * n
    while any(e == 0.0 for e in exits):
        for i, p in enumerate(procs):
            if exits[i] == 0.0 and p.poll() is not None:
                exits[i] = time.perf_counter() - t
        time.sleep(0.05)
    return max(exits), exits


def rss_run(pages: int, engine_name: str, home: Path) -> tuple[float, float]:
    """Peak RSS (MB) after the first 10 pages and at the end, one worker in this process."""
    from docledger.ledger import Ledger
    from docledger.settings import Settings
    from docledger.stages import discover
    from docledger.worker import Worker

    settings = Settings(home=home, ocr_engine=engine_name)
    ledger = Ledger(settings, stages=discover(settings, only=["classify", "ocr"]))
    src = home / "rss"
    src.mkdir(parents=True)
    warm = None
    for i in range(pages):
        p = src / f"p{i}.pdf"
        write_pdf([scan_page(1000 + i)], p)
        ledger.ingest_path(p)
        Worker(ledger).run(until_idle=True)
        if i == 9:
            warm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ledger.close()
    return warm or 0.0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--engine", default="rapidocr")
    ap.add_argument("--rss-pages", type=int, default=60)
    ap.add_argument("--parts", default="abc", help="which of (a), (b), (c) to run, e.g. 'b'")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pdfs = []
        for i in range(args.pages):
            p = root / f"scan-{i:03d}.pdf"
            write_pdf([scan_page(i)], p)
            pdfs.append(p)
        from docledger.ocr.engines import get_engine

        if "a" in args.parts:
            get_engine(args.engine).recognize(scan_page(0).resize((400, 500)))  # load models outside the timing
            r = raw(pdfs, args.engine)
            pl = pipeline(pdfs, args.engine, root / "pipeline")
            print(f"(a) {args.pages} scanned pages, engine {args.engine}")
            print(f"    raw engine + structure : {r:7.1f} s  ({args.pages / r:.2f} pages/s)")
            print(f"    full pipeline          : {pl:7.1f} s  ({args.pages / pl:.2f} pages/s)")
            print(f"    ratio pipeline/raw     : {pl / r:7.3f}   (target <= 1.15)")
        docs = []
        for d in range(4):
            p = root / f"multi-{d}.pdf"
            write_pdf([scan_page(100 + d * 10 + k) for k in range(args.pages // 4)], p)
            docs.append(p)
        if "b" in args.parts:
            one, _ = processes(docs, 1, args.engine, root / "one")
            single, _ = processes(docs, 1, args.engine, root / "single", threads=1)
            two, exits = processes(docs, 2, args.engine, root / "two")
            print(f"(b) 4 documents x {args.pages // 4} pages (per-page fan-out)")
            print(f"    1 worker process, {max(1, os.cpu_count() or 1)} ONNX threads : {one:7.1f} s")
            print(f"    1 worker process, 1 ONNX thread   : {single:7.1f} s  (reference: one core)")
            print(
                f"    2 worker processes, 1 thread each : {two:7.1f} s  (exited at "
                + ", ".join(f"{e:.1f}" for e in exits)
                + " s)"
            )
            print(f"    speed-up vs 1 process             : {one / two:7.2f}x  (target >= 1.8x)")
            print(f"    speed-up vs 1 process, 1 thread   : {single / two:7.2f}x")
        if "c" not in args.parts:
            return
        warm, end = rss_run(args.rss_pages, args.engine, root / "rss-home")
        print(
            f"(c) worker RSS over {args.rss_pages} pages: {warm:.0f} MB after 10 pages, {end:.0f} MB peak at the end "
            f"(target flat, < 1500 MB)"
        )


if __name__ == "__main__":
    main()
