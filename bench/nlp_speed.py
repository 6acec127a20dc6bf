"""NLP throughput: pages/s of analyze_text and sentences/s of the embedder.

Pages are built from MTSamples notes (~500 words each, like a typed A4 page) when the
corpus is present, otherwise from a generated clinical/lending text.

Printed side by side, measured in the same run:
  * split_sentences              (rule-based, reference for "free")
  * spaCy parse alone            (reference: the floor every NLP step shares)
  * analyze_text                 (one parse -> entities + key phrases + PII)
  * the three separately         (extract_entities + extract_key_phrases + detect_pii, 3 parses)
  * embeddings, sorted batching vs. unsorted batches of 32 (reference)

Usage: python bench/nlp_speed.py [--pages 40]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

from docledger.nlp._spacy import get_nlp  # noqa: E402
from docledger.nlp.embeddings import get_embedder  # noqa: E402
from docledger.nlp.entities import extract_entities  # noqa: E402
from docledger.nlp.keyphrases import extract_key_phrases  # noqa: E402
from docledger.nlp.pii import analyze_text, detect_pii, get_analyzer  # noqa: E402
from docledger.nlp.sentences import split_sentences  # noqa: E402

FALLBACK = (
    "Patient Maria Garcia, DOB 04/12/1961, MRN 00482913, was seen by Dr. Alice Wong in Boston. "
    "She reports chest pain on exertion for two weeks. Lisinopril 10 mg daily was started. "
    "The borrower lives at 1420 North Maple Avenue, Springfield, IL 62704 and wires funds to "
    "routing number 021000021, account number 4839201177. "
)


def pages(n: int) -> list[str]:
    env = os.environ.get("DOCLEDGER_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    path = root / "mtsamples" / "dev.csv"
    words: list[str] = []
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                words.extend(row["transcription"].split())
                if len(words) >= 500 * n:
                    break
    while len(words) < 500 * n:
        words.extend(FALLBACK.split())
    return [" ".join(words[i * 500 : (i + 1) * 500]) for i in range(n)]


def rate(label: str, fn, items: list, unit: str) -> float:
    t0 = time.perf_counter()
    for item in items:
        fn(item)
    took = time.perf_counter() - t0
    r = len(items) / took
    print(f"  {label:<44}{r:>9.1f} {unit}/s  ({1000 * took / len(items):.1f} ms each)")
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=40)
    args = ap.parse_args()
    docs = pages(args.pages)
    t0 = time.perf_counter()
    nlp = get_nlp()
    get_analyzer()
    emb = get_embedder()
    print(
        f"model load (spaCy + Presidio + MiniLM): {time.perf_counter() - t0:.1f} s; cores: {os.cpu_count()}"
    )
    analyze_text(docs[0])  # warm-up

    print(f"NLP on {len(docs)} pages of ~500 words")
    rate("split_sentences", split_sentences, docs, "pages")
    floor = rate("spaCy parse alone (reference)", nlp, docs, "pages")
    one = rate("analyze_text (one parse)", analyze_text, docs, "pages")
    sep = rate(
        "entities + key phrases + PII separately",
        lambda d: (extract_entities(d), extract_key_phrases(d), detect_pii(d)),
        docs,
        "pages",
    )
    print(
        f"  analyze_text vs separate calls: {one / sep:.2f}x; vs parse alone: {one / floor:.2f}x of the floor"
    )

    sentences = [s.text for d in docs for s in split_sentences(d)]
    print(f"Embeddings on {len(sentences)} sentences (batch 32)")
    t = time.perf_counter()
    vecs = emb.encode(sentences)
    sorted_rate = len(sentences) / (time.perf_counter() - t)
    t = time.perf_counter()
    ref = np.vstack([emb._encode_batch(sentences[i : i + 32]) for i in range(0, len(sentences), 32)])
    plain_rate = len(sentences) / (time.perf_counter() - t)
    assert np.allclose(vecs, ref, atol=1e-4)
    print(f"  {'encode (length-sorted batches)':<44}{sorted_rate:>9.1f} sentences/s")
    print(f"  {'unsorted batches of 32 (reference)':<44}{plain_rate:>9.1f} sentences/s")
    print(f"  sorted vs unsorted: {sorted_rate / plain_rate:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
