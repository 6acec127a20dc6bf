"""Document-type classification with 20 labelled examples per class, against a TF-IDF + linear
SVM baseline measured in the same run on the same split.

Sets (each: 20 examples per class to train, every other example to test; the split is drawn
with --seed, default 7, and never used to choose the classifier's design):
- ``mtsamples``: ../shared/corpus/mtsamples/dev.csv, the 10 most frequent ``medical_specialty``
  classes (transcribed clinical notes; the classes overlap heavily, e.g. Surgery vs Orthopedic);
- ``lending``: generated lending documents (docledger.demo.lending, 11 types) with 3 % OCR-like
  character noise; written next to the code, so its figure is an upper bound.

The ensemble is docledger.doctypes.model.DocTypeModel exactly as `docledger types train` uses it
(view weights chosen by 5-fold cross-validation on the 200 training examples only).
MiniLM embeddings dominate the run time; --emb-cache stores them (keyed by the set and seed).

    python bench/doctype_bench.py [--sets mtsamples,lending] [--seed 7] [--emb-cache /tmp/dl-emb]
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from docledger.doctypes.features import embed_documents
from docledger.doctypes.model import DocTypeModel

sys.path.insert(0, str(Path(__file__).parent))
from split_bench import noisy  # noqa: E402


def corpus_dir() -> Path:
    return Path(os.environ.get("DOCLEDGER_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def mtsamples(seed: int) -> tuple[list[str], list[str], list[str], list[str]] | None:
    path = corpus_dir() / "mtsamples" / "dev.csv"
    if not path.is_file():
        return None
    rows = list(csv.DictReader(path.open()))
    counts = collections.Counter(r["medical_specialty"].strip() for r in rows)
    classes = [k for k, _ in counts.most_common(10)]
    by: dict[str, list[str]] = collections.defaultdict(list)
    for r in rows:
        s = r["medical_specialty"].strip()
        if s in classes and r["transcription"].strip():
            by[s].append(r["transcription"])
    return _split(by, seed, classes)


def lending(seed: int) -> tuple[list[str], list[str], list[str], list[str]]:
    from docledger.demo.lending import GENERATED_TYPES, Borrower, random_doc

    by: dict[str, list[str]] = collections.defaultdict(list)
    for t in GENERATED_TYPES:
        for i in range(50):
            rng = random.Random(seed * 100000 + i * 37 + len(t))
            doc = random_doc(t, Borrower.random(rng), rng, date(2026, 11, 1))
            by[t].append(noisy(doc.text, 0.03, rng))
    return _split(by, seed, sorted(by))


def _split(by: dict[str, list[str]], seed: int, order: list[str]) -> tuple[list[str], list[str], list[str], list[str]]:
    rng = random.Random(seed)
    xtr, ytr, xte, yte = [], [], [], []
    for label in order:
        docs = by[label][:]
        rng.shuffle(docs)
        xtr += docs[:20]
        ytr += [label] * 20
        xte += docs[20:]
        yte += [label] * (len(docs) - 20)
    return xtr, ytr, xte, yte


def embeddings(name: str, seed: int, xtr: list[str], xte: list[str], cache: str | None) -> tuple[np.ndarray, ...]:
    path = Path(cache) / f"{name}-{seed}.npz" if cache else None
    import hashlib

    key = hashlib.sha256("\x00".join(xtr + ["|"] + xte).encode()).hexdigest()
    if path and path.is_file():
        z = np.load(path)
        if "key" in z and str(z["key"]) == key:
            return z["a"], z["b"]
    a, b = embed_documents(xtr), embed_documents(xte)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, a=a, b=b, key=np.array(key))
    return a, b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="mtsamples,lending")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--emb-cache", default=None)
    args = ap.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    print(
        f"{'set':10} {'classes':>7} {'test':>5} {'TF-IDF+SVM':>10} {'ensemble':>9} {'ratio':>6} "
        f"{'bal. SVM':>8} {'bal. ens':>8} {'cv (train)':>10} {'fit s':>6}  weights"
    )
    for name in args.sets.split(","):
        data = mtsamples(args.seed) if name == "mtsamples" else lending(args.seed)
        if data is None:
            print(f"{name:10} skipped: corpus not found")
            continue
        xtr, ytr, xte, yte = data
        vec = TfidfVectorizer()
        base = LinearSVC().fit(vec.fit_transform(xtr), ytr)
        base_pred = base.predict(vec.transform(xte))
        base_acc = float(np.mean(base_pred == np.array(yte)))
        etr, ete = embeddings(name, args.seed, xtr, xte, args.emb_cache)
        t = time.perf_counter()
        model = DocTypeModel().fit(xtr, ytr, embeddings=etr)
        fit_s = time.perf_counter() - t
        pred = [p for p, _ in model.predict(xte, embeddings=ete)]
        acc = float(np.mean(np.array(pred) == np.array(yte)))
        print(
            f"{name:10} {len(set(ytr)):7d} {len(xte):5d} {base_acc:10.1%} {acc:9.1%} {acc / base_acc:6.2f} "
            f"{balanced(list(base_pred), yte):8.1%} {balanced(pred, yte):8.1%} "
            f"{model.meta.get('cv_accuracy', 0):10.1%} {fit_s:6.1f}  {model.weights}"
        )


def balanced(pred: list[str], truth: list[str]) -> float:
    """Mean per-class recall: what accuracy would be on a test set with equal classes (like RVL-CDIP's)."""
    recalls = []
    for c in sorted(set(truth)):
        idx = [i for i, t in enumerate(truth) if t == c]
        recalls.append(sum(pred[i] == c for i in idx) / len(idx))
    return float(np.mean(recalls))


if __name__ == "__main__":
    main()
