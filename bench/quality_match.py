"""Sentence-matching quality and latency on MTSamples clinical notes.

For each sampled note: split the transcription into sentences, pick one sentence of 8+
words, restate it (shuffle its clauses, drop ~30 % of the words, swap a few words for
synonyms from a small built-in table; all seeded), then ask docledger.nlp.match which
sentences of the note it came from. A hit is the source sentence at rank 1 / in the top 5.

Printed side by side, measured in the same run on the same restatements:
  * cosine      - docledger's ranking (MiniLM cosine distance)
  * blend w     - (1-w) * cosine distance + w * (1 - content-word overlap)
  * lexical     - reference: content-word overlap alone (what a keyword search would do)

Latency: p50/p95 of match_sentences() on a ~5-page document (~2,500 words) with the
document's sentence embeddings cached, i.e. the cost at query time.

Usage: python bench/quality_match.py [--notes 300] [--seed 7]
Targets: top-5 >= 95 %, p50 latency < 50 ms.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from docledger.nlp import match as match_mod
from docledger.nlp.embeddings import get_embedder
from docledger.nlp.match import match_sentences
from docledger.nlp.sentences import Sentence, split_sentences

SYNONYMS = {
    "patient": "individual", "pain": "discomfort", "doctor": "physician", "physician": "doctor",
    "given": "administered", "started": "initiated", "stopped": "discontinued", "increased": "raised",
    "decreased": "reduced", "large": "big", "small": "little", "normal": "unremarkable", "left": "left-sided",
    "right": "right-sided", "placed": "positioned", "removed": "taken out", "noted": "seen",
    "denies": "reports no",
    "history": "background", "examination": "exam", "procedure": "operation", "surgery": "operation",
    "medication": "medicine", "medications": "medicines", "symptoms": "complaints", "mild": "slight",
    "severe": "marked", "blood": "bloodstream", "daily": "every day", "tolerated": "handled", "well": "fine",
    "incision": "cut", "made": "created", "there": "here", "approximately": "about", "previous": "prior",
    "significant": "notable", "showed": "revealed", "shows": "reveals", "evidence": "signs",
    "without": "with no",
    "elevated": "raised", "performed": "done", "obtained": "acquired", "presents": "comes in", "male": "man",
    "female": "woman", "years": "yrs", "recommended": "advised", "follow": "return", "room": "suite",
}  # fmt: skip


def corpus_dir() -> Path | None:
    env = os.environ.get("DOCLEDGER_CORPUS")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    return path if (path / "mtsamples" / "dev.csv").is_file() else None


def restate(sentence: str, rng: random.Random) -> str:
    """A lossy paraphrase: clauses shuffled, ~30 % of words dropped, some synonyms swapped."""
    body = sentence.split(":", 1)[1] if re.match(r"^[A-Z][A-Z /&,]+:", sentence) else sentence
    clauses = [c.strip(" ,.;") for c in re.split(r",|;| and | but | which ", body) if c.strip(" ,.;")]
    rng.shuffle(clauses)
    words = " ".join(clauses).split()
    keep = [w for w in words if rng.random() > 0.30] or words[:3]
    out = []
    swaps = 0
    for w in keep:
        key = w.lower().strip(".,;:")
        if key in SYNONYMS and swaps < 3 and rng.random() < 0.7:
            out.append(SYNONYMS[key])
            swaps += 1
        else:
            out.append(w)
    return " ".join(out)


def overlap_scores(query: str, sentences: list[Sentence]) -> np.ndarray:
    q = match_mod._tokens(query)
    return np.array([match_mod._overlap(q, s.text) for s in sentences], dtype=np.float32)


def rank_of(scores: np.ndarray, source: int) -> int:
    """1-based rank of ``source`` under ascending ``scores`` (ties broken by document order)."""
    order = np.argsort(scores, kind="stable")
    return int(np.where(order == source)[0][0]) + 1


def quality(rows: list[dict[str, str]], n_notes: int, seed: int) -> None:
    rng = random.Random(seed)
    emb = get_embedder()
    candidates = [r for r in rows if len(r["transcription"]) > 400]
    rng.shuffle(candidates)
    weights = [0.0, 0.15, 0.3]
    ranks: dict[str, list[int]] = {f"blend {w:.2f}" if w else "cosine": [] for w in weights}
    ranks["lexical (reference)"] = []
    examples: list[tuple[str, str, int]] = []
    t0 = time.perf_counter()
    used = 0
    n_sent = 0
    for row in candidates:
        if used >= n_notes:
            break
        sents = split_sentences(row["transcription"])
        pool = [i for i, s in enumerate(sents) if len(s.text.split()) >= 8]
        if len(sents) < 5 or not pool:
            continue
        used += 1
        src = rng.choice(pool)
        query = restate(sents[src].text, rng)
        vecs = emb.encode([s.text for s in sents])
        n_sent += len(sents)
        dist = 1.0 - vecs @ emb.encode([query])[0]
        lex = overlap_scores(query, sents)
        for w in weights:
            name = f"blend {w:.2f}" if w else "cosine"
            ranks[name].append(rank_of((1 - w) * dist + w * (1 - lex), src))
        ranks["lexical (reference)"].append(rank_of(1 - lex, src))
        if ranks["cosine"][-1] > 1 and len(examples) < 5:
            examples.append((sents[src].text, query, ranks["cosine"][-1]))
    took = time.perf_counter() - t0
    print(f"notes: {used}, sentences embedded: {n_sent} in {took:.1f} s (seed {seed})")
    print(f"{'ranking':<22}{'rank-1':>9}{'top-5':>9}{'MRR':>8}")
    for name, rs in ranks.items():
        r1 = sum(r == 1 for r in rs) / len(rs)
        t5 = sum(r <= 5 for r in rs) / len(rs)
        mrr = statistics.fmean(1 / r for r in rs)
        print(f"{name:<22}{r1:>9.1%}{t5:>9.1%}{mrr:>8.3f}")
    print(f"docledger ranking in use: LEXICAL_WEIGHT = {match_mod.LEXICAL_WEIGHT}")
    for src_text, query, r in examples[:3]:
        print(f"  miss (rank {r}): {query!r}\n      source: {src_text[:140]!r}")


def latency(rows: list[dict[str, str]], seed: int) -> None:
    rng = random.Random(seed)
    texts: list[str] = []
    words = 0
    for row in rows:
        if words >= 2500:
            break
        texts.append(row["transcription"])
        words += len(row["transcription"].split())
    doc = "\n\n".join(texts)
    sents = split_sentences(doc)
    emb = get_embedder()
    vecs = emb.encode([s.text for s in sents])
    pool = [s for s in sents if len(s.text.split()) >= 8]
    queries = [restate(rng.choice(pool).text, rng) for _ in range(60)]
    match_sentences(queries[0], sents, vecs)  # warm-up
    times = []
    for q in queries:
        t = time.perf_counter()
        match_sentences(q, sents, vecs, top_k=5)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(0.95 * len(times)) - 1]
    t = time.perf_counter()
    emb.encode([q for q in queries])
    per_query_encode = (time.perf_counter() - t) * 1000 / len(queries)
    print(
        f"latency: document {words} words, {len(sents)} sentences, cached vectors; "
        f"match p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p50 < 50 ms); "
        f"of which encoding the restatement ~{per_query_encode:.1f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    corpus = corpus_dir()
    if corpus is None:
        print("corpus not found (set DOCLEDGER_CORPUS); nothing to measure")
        return 0
    with open(corpus / "mtsamples" / "dev.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    quality(rows, args.notes, args.seed)
    latency(rows, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
