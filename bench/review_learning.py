"""Learning from corrections: straight-through rate before and after N corrections on one layout.

Documents are generated payroll statements of one printed layout (tests/review_forms.py) with random
values and a random vertical offset (0-30 pt, so the learned region must follow its anchor). The
extractor is a naive one-line "Label value" reader that never finds the boxed employee number, so
without learning every document waits for a person. For each N, a fresh ledger is taught by a
simulated reviewer who types the true employee number on N documents; then M evaluation documents
(other seeds: never used while building the feature) go through the pipeline untouched, and we
count how many fields and documents went straight through, and whether learned values are right.
A few documents of another issuer's form (same values, other labels and places) are processed
alongside: nothing learned on the first layout may be applied to them.

N = 0 is the reference (the extractor alone), measured in the same run.

    python bench/review_learning.py [--eval 20] [--store sqlite|postgres] [--scanned]

``--scanned`` repeats N = 0 and N = 3 on page images (rendered at 150 dpi with noise and a slight
blur, read by OCR), a harder and slower case (about 4 s per page on 2 cores).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import scratch_store  # noqa: E402

from docledger.ledger import Ledger  # noqa: E402
from docledger.services.review import list_tasks, resolve_task, reviewed_fields  # noqa: E402
from docledger.settings import Settings  # noqa: E402
from docledger.stages import discover  # noqa: E402
from docledger.stages.review import ReviewStage  # noqa: E402
from docledger.worker import Worker  # noqa: E402
from review_forms import NaiveFields, make_payroll_pdf, payroll_values  # noqa: E402

TEACH_SEED, EVAL_SEED = 1001, 9001  # the tests use seeds 3, 7 and 11


def scan(pdf: bytes, rng: random.Random) -> bytes:
    """The PDF page as a 150 dpi greyscale PNG with speckle noise and a slight blur (a photocopy)."""
    import pypdfium2 as pdfium
    from PIL import ImageFilter

    page = pdfium.PdfDocument(pdf)[0]
    img = page.render(scale=150 / 72).to_pil().convert("L").filter(ImageFilter.GaussianBlur(0.6))
    px = img.load()
    assert px is not None
    for _ in range(img.width * img.height // 400):
        px[rng.randrange(img.width), rng.randrange(img.height)] = rng.choice((0, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(150, 150))
    return buf.getvalue()


def make_ledger(url: str, home: Path, scanned: bool) -> Ledger:
    settings = Settings(home=home, database_url=url, poll_interval_seconds=0.02, ocr_dpi=150)
    stages = discover(settings, only=["classify", "extract-text", "ocr"] if scanned else ["classify", "extract-text"])
    stages.update({"fields": NaiveFields(settings), "review": ReviewStage(settings)})
    return Ledger(settings, stages=stages)


def document(rng: random.Random, scanned: bool, *, other: bool = False) -> tuple[bytes, str, dict[str, str]]:
    values = payroll_values(rng)
    pdf = make_payroll_pdf(values, shift=rng.uniform(0, 30), other_layout=other)
    return (scan(pdf, rng), "png", values) if scanned else (pdf, "pdf", values)


def run_level(n: int, m: int, kind: str, scanned: bool) -> dict[str, Any]:
    teach, evaluate = random.Random(TEACH_SEED + n), random.Random(EVAL_SEED)
    with tempfile.TemporaryDirectory() as tmp, scratch_store(kind, Path(tmp)) as url:
        ledger = make_ledger(url, Path(tmp) / "home", scanned)
        try:
            taught = 0
            for i in range(n):
                data, ext, values = document(teach, scanned)
                doc = ledger.ingest_bytes(data, f"teach-{i}.{ext}").document_id
                Worker(ledger).run(until_idle=True)
                for t in list_tasks(ledger, tenants=None, document_id=doc):
                    truth = values.get(t["field"])
                    if t["value"] == truth:
                        resolve_task(ledger, t["task_id"], actor="bench", tenants=None, accept=True)
                    else:
                        resolve_task(ledger, t["task_id"], actor="bench", tenants=None, value=truth)
                        taught += t["field"] == "employee_number"
            docs = []
            for i in range(m):
                data, ext, values = document(evaluate, scanned)
                docs.append((ledger.ingest_bytes(data, f"eval-{i}.{ext}").document_id, values))
            others = []  # another issuer's form: nothing learned on Northwind's layout may apply to it
            for i in range(max(2, m // 4)):
                data, ext, values = document(evaluate, scanned, other=True)
                others.append(ledger.ingest_bytes(data, f"other-{i}.{ext}").document_id)
            Worker(ledger).run(until_idle=True)
            misapplied = sum(
                1
                for d in others
                for f in (reviewed_fields(ledger, d) or {"fields": []})["fields"]
                if f["review"] == "learned"
            )
            fields = straight = doc_straight = learned = learned_right = 0
            for doc, values in docs:
                reviewed = reviewed_fields(ledger, doc)
                assert reviewed is not None, ledger.status(doc)
                rows = reviewed["fields"]
                fields += len(rows)
                ok = [f for f in rows if f["review"] in ("auto", "learned")]
                straight += len(ok)
                doc_straight += ledger.get_document(doc)["status"] == "SUCCEEDED"
                for f in rows:
                    if f["review"] == "learned":
                        learned += 1
                        learned_right += f["value"] == values[f["field"]]
            return {
                "n": n,
                "taught": taught,
                "docs": m,
                "field_rate": straight / fields,
                "doc_rate": doc_straight / m,
                "learned": learned,
                "learned_right": learned_right,
                "others": len(others),
                "misapplied": misapplied,
            }
        finally:
            ledger.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=int, default=20, help="evaluation documents per level")
    ap.add_argument("--levels", default="0,1,2,3,5", help="numbers of corrections to teach")
    ap.add_argument("--store", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--scanned", action="store_true", help="also N = 0 and 3 on OCR'd page images")
    args = ap.parse_args()
    parts = [(False, [int(x) for x in args.levels.split(",")], args.eval)]
    if args.scanned:
        parts.append((True, [0, 3], max(3, args.eval // 4)))
    for scanned, levels, m in parts:
        print(
            f"\n# {'scanned page images (OCR)' if scanned else 'digital PDFs (text layer)'}, store {args.store}, "
            f"{m} evaluation documents per level"
        )
        print(
            f"{'corrections':>11} {'fields straight-through':>24} {'documents straight-through':>27} "
            f"{'learned right':>14} {'vs N=0':>7} {'other-layout fields learned':>28}"
        )
        base = None
        for n in levels:
            r = run_level(n, m, args.store, scanned)
            base = r["field_rate"] if base is None else base
            right = f"{r['learned_right']}/{r['learned']}" if r["learned"] else "-"
            print(
                f"{n:>11} {100 * r['field_rate']:>23.1f}% {100 * r['doc_rate']:>26.1f}% {right:>14} "
                f"{r['field_rate'] / base:>6.2f}x {r['misapplied']:>20} of {r['others']} docs"
            )


if __name__ == "__main__":
    main()
