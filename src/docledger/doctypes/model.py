"""The trainable document-type classifier: an ensemble of four views of a document.

- word n-grams (1-2, TF-IDF, digits folded) -> linear SVM (margins -> softmax)
- character n-grams (2-5 within word boundaries, TF-IDF) -> linear SVM; robust to OCR noise
- MiniLM sentence embeddings of the opening chunks -> logistic regression; carries meaning
  across vocabulary, which matters most when there are only ~20 examples per class
- layout features of the lines -> logistic regression on standardised values

Each view gives class probabilities; the ensemble takes their weighted geometric mean
(a product of experts), so a class must be plausible in every view. The weights are chosen per
tenant at training time by stratified cross-validation over the tenant's own examples. The confidence of a
prediction is the ensemble probability of the chosen class. Cross-validation accuracy is
measured on the same pipeline with stratified folds.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from docledger.doctypes.features import embed_documents, layout_features, normalise

MODEL_FORMAT = "docledger-doctype/1"
DEFAULT_WEIGHTS = {"word": 1.0, "char": 1.0, "emb": 1.0, "layout": 0.3}


@dataclass
class DocTypeModel:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    classes: list[str] = field(default_factory=list)
    parts: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_embeddings(self) -> bool:
        return self.weights.get("emb", 0) > 0

    # ---- training ----------------------------------------------------------------------------
    def fit(
        self, texts: Sequence[str], labels: Sequence[str], *, embeddings: np.ndarray | None = None, tune: bool = True
    ) -> DocTypeModel:
        """Fit every view; with ``tune``, first pick the views' weights by stratified cross-validation
        on these examples only (out-of-fold probabilities per view, then a small grid of weights)."""
        self.classes = sorted(set(labels))
        if len(self.classes) < 2:
            raise ValueError("a classifier needs at least two types")
        y = np.array([self.classes.index(lb) for lb in labels])
        if self.uses_embeddings and embeddings is None:
            embeddings = embed_documents(texts)
        views = _Views(texts, embeddings)
        active = [v for v in VIEWS if self.weights.get(v, 0) > 0]
        if tune:
            oof = _out_of_fold(views, y, active, len(self.classes))
            if oof is not None:
                self.weights, acc = _best_weights(oof, y, self.weights)
                self.meta["cv_accuracy"] = acc
                self.meta["view_cv_accuracy"] = {v: float(np.mean(oof[v].argmax(1) == y)) for v in oof}
        self.parts = {v: _fit_view(v, views, np.arange(len(y)), y) for v in active if self.weights.get(v, 0) > 0}
        return self

    # ---- prediction --------------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> np.ndarray:
        k = len(self.classes)
        if "emb" in self.parts and embeddings is None:
            embeddings = embed_documents(texts)
        views = _Views(texts, embeddings)
        probs = {
            v: _full(_clf_of(part), _predict_view(v, part, views, np.arange(len(texts))), k)
            for v, part in self.parts.items()
        }
        return _combine(probs, self.weights)

    def predict(self, texts: Sequence[str], *, embeddings: np.ndarray | None = None) -> list[tuple[str, float]]:
        if not texts:
            return []
        p = self.predict_proba(texts, embeddings=embeddings)
        best = p.argmax(axis=1)
        return [(self.classes[int(b)], float(p[i, b])) for i, b in enumerate(best)]

    # ---- persistence (the bytes are stored as a blob in the ledger, versioned per tenant) --------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        pickle.dump(
            {
                "format": MODEL_FORMAT,
                "weights": self.weights,
                "classes": self.classes,
                "parts": self.parts,
                "meta": self.meta,
            },
            buf,
            protocol=5,
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> DocTypeModel:
        # Only ever called on blobs this ledger wrote itself (content-addressed, listed in doc_type_models).
        obj = pickle.loads(data)  # noqa: S301
        if obj.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a docledger document-type model ({obj.get('format')!r})")
        return cls(weights=obj["weights"], classes=obj["classes"], parts=obj["parts"], meta=obj.get("meta", {}))


def _full(clf: Any, proba: np.ndarray, k: int) -> np.ndarray:
    """Probabilities over all k classes (a fold may miss a class the full model knows)."""
    est = clf.steps[-1][1] if hasattr(clf, "steps") else clf
    cls = list(est.classes_)
    if len(cls) == k:
        return proba
    out = np.full((proba.shape[0], k), 1e-6)
    for j, c in enumerate(cls):
        out[:, int(c)] = proba[:, j]
    return out / out.sum(axis=1, keepdims=True)


VIEWS = ("word", "char", "emb", "layout")
WEIGHT_GRID = (0.0, 0.5, 1.0, 2.0)


class _Views:
    """The inputs of each view, computed once per set of documents."""

    def __init__(self, texts: Sequence[str], embeddings: np.ndarray | None) -> None:
        self.norm = [normalise(t) for t in texts]
        self.emb = embeddings
        self.layout = np.array([layout_features(t) for t in texts])


def _fit_view(view: str, data: _Views, idx: np.ndarray, y: np.ndarray) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if view in ("word", "char"):
        from sklearn.svm import LinearSVC

        if view == "word":
            vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_features=60000)
        else:
            vec = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, max_features=100000
            )
        clf = LinearSVC(C=0.5)
        clf.fit(vec.fit_transform([data.norm[i] for i in idx]), y[idx])
        return (vec, clf)
    if view == "emb":
        assert data.emb is not None
        return LogisticRegression(C=10.0, max_iter=3000).fit(data.emb[idx], y[idx])
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
    return pipe.fit(data.layout[idx], y[idx])


def _clf_of(part: Any) -> Any:
    return part[1] if isinstance(part, tuple) else part


def _predict_view(view: str, part: Any, data: _Views, idx: np.ndarray) -> np.ndarray:
    if view in ("word", "char"):
        vec, clf = part
        return _svm_proba(clf.decision_function(vec.transform([data.norm[i] for i in idx])))
    if view == "emb":
        assert data.emb is not None
        return np.asarray(part.predict_proba(data.emb[idx]))
    return np.asarray(part.predict_proba(data.layout[idx]))


SVM_SCALE = 4.0  # margins -> probabilities; the tuned view weights absorb any remaining scale difference


def _svm_proba(decision: np.ndarray) -> np.ndarray:
    d = np.asarray(decision, dtype=float)
    if d.ndim == 1:  # two classes: one margin
        d = np.stack([-d, d], axis=1)
    z = SVM_SCALE * (d - d.max(axis=1, keepdims=True))
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _combine(probs: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted geometric mean of the views' probabilities (a product of experts), renormalised."""
    some = next(iter(probs.values()))
    logp = np.zeros_like(some)
    total = 0.0
    for v, p in probs.items():
        w = weights.get(v, 0.0)
        if w > 0:
            logp += w * np.log(p + 1e-9)
            total += w
    logp /= max(total, 1e-9)
    logp -= logp.max(axis=1, keepdims=True)
    out = np.exp(logp)
    return out / out.sum(axis=1, keepdims=True)


def _out_of_fold(
    data: _Views, y: np.ndarray, views: list[str], k: int, *, folds: int = 5, seed: int = 0
) -> dict[str, np.ndarray] | None:
    from sklearn.model_selection import StratifiedKFold

    n_splits = min(folds, int(np.bincount(y).min()))
    if n_splits < 2:
        return None
    oof = {v: np.zeros((len(y), k)) for v in views}
    for train, test in StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        for v in views:
            part = _fit_view(v, data, train, y)
            oof[v][test] = _full(_clf_of(part), _predict_view(v, part, data, test), k)
    return oof


def _best_weights(
    oof: dict[str, np.ndarray], y: np.ndarray, default: dict[str, float]
) -> tuple[dict[str, float], float]:
    """The grid point with the best out-of-fold accuracy (ties: the one closest to ``default``)."""
    import itertools

    views = list(oof)
    best: tuple[float, float, dict[str, float]] | None = None
    for combo in itertools.product(WEIGHT_GRID, repeat=len(views)):
        if not any(combo):
            continue
        w = dict(zip(views, combo, strict=True))
        acc = float(np.mean(_combine(oof, w).argmax(1) == y))
        dist = -sum(abs(w[v] - default.get(v, 0)) for v in views)
        if best is None or (acc, dist) > (best[0], best[1]):
            best = (acc, dist, w)
    assert best is not None
    # With ~20 examples per class the grid can overfit the folds: keep the default weights unless
    # another point wins by more than two examples.
    base = {v: default.get(v, 0.0) for v in views}
    if any(base.values()):
        base_acc = float(np.mean(_combine(oof, base).argmax(1) == y))
        if best[0] - base_acc <= 2.0 / len(y):
            return base, base_acc
    return best[2], best[0]


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], *, embeddings: np.ndarray | None = None
) -> float | None:
    """Stratified 5-fold accuracy of the tuned ensemble (the weights are chosen on the same folds, so
    this is slightly optimistic); None when a type has fewer than two examples."""
    model = DocTypeModel().fit(texts, labels, embeddings=embeddings)
    acc = model.meta.get("cv_accuracy")
    return None if acc is None else float(acc)
