"""A dependency-free evaluator for gradient-boosted trees stored as JSON, with a calibration map.

Why not pickle a scikit-learn model: loading a pickle runs code from the file and ties the
runtime to the exact scikit-learn version that wrote it. The linker's models are trained with
scikit-learn's ``HistGradientBoostingClassifier`` by ``scripts/train_forms.py`` and exported as
plain arrays (feature, threshold, children, leaf value per node); evaluating them needs numpy only,
so the package has no training dependency at run time and the model file is data, not code.

A tree node goes left when ``x[feature] <= threshold`` (NaN follows ``missing_left``), exactly
as scikit-learn decides; the training script checks that both agree on every training row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Tree:
    feature: np.ndarray  # int32, -1 at leaves
    threshold: np.ndarray  # float64
    left: np.ndarray  # int32
    right: np.ndarray  # int32
    value: np.ndarray  # float64 (leaf values; inner nodes ignored)
    missing_left: np.ndarray  # bool

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tree:
        return cls(
            feature=np.asarray(data["feature"], dtype=np.int32),
            threshold=np.asarray(data["threshold"], dtype=np.float64),
            left=np.asarray(data["left"], dtype=np.int32),
            right=np.asarray(data["right"], dtype=np.int32),
            value=np.asarray(data["value"], dtype=np.float64),
            missing_left=np.asarray(data["missing_left"], dtype=bool),
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        node = np.zeros(len(x), dtype=np.int32)
        rows = np.arange(len(x))
        while True:
            feat = self.feature[node]
            active = feat >= 0
            if not active.any():
                return self.value[node]
            f = np.where(active, feat, 0)
            v = x[rows, f]
            go_left = np.where(np.isnan(v), self.missing_left[node], v <= self.threshold[node])
            node = np.where(active, np.where(go_left, self.left[node], self.right[node]), node)


@dataclass
class Isotonic:
    """A monotone step map from a raw score to a probability (interpolated between knots)."""

    x: np.ndarray
    y: np.ndarray

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Isotonic:
        return cls(np.asarray(data["x"], dtype=np.float64), np.asarray(data["y"], dtype=np.float64))

    def __call__(self, scores: np.ndarray, ocr: np.ndarray | None = None) -> np.ndarray:
        if len(self.x) == 0:
            return scores
        return np.interp(scores, self.x, self.y)


@dataclass
class Platt:
    """Logistic calibration over the link score and the OCR confidence of the pair's words.

    ``p = sigmoid(w0 * logit(score) + w1 * ocr + w2 * [ocr >= 0.999] + b)``: the same link score
    is right less often when it was read by OCR (a misread character makes the pair wrong),
    and annotated or digital text carries confidence 1.
    """

    weights: np.ndarray
    bias: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Platt:
        return cls(np.asarray(data["weights"], dtype=np.float64), float(data["bias"]))

    @staticmethod
    def features(scores: np.ndarray, ocr: np.ndarray) -> np.ndarray:
        s = np.clip(np.asarray(scores, dtype=np.float64), 1e-4, 1 - 1e-4)
        c = np.asarray(ocr, dtype=np.float64)
        return np.column_stack([np.log(s / (1 - s)), c, (c >= 0.999).astype(np.float64)])

    def __call__(self, scores: np.ndarray, ocr: np.ndarray | None = None) -> np.ndarray:
        ocr = np.ones(len(scores)) if ocr is None else ocr
        z = self.features(scores, ocr) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class SplitIsotonic:
    """Two isotonic maps from link score to probability: one for pairs read from annotated or
    digital text (word confidence 1), one for OCR'd pairs, where a misread character makes an
    otherwise right link wrong, so the same score is right less often."""

    annotated: Isotonic
    ocr: Isotonic

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SplitIsotonic:
        return cls(Isotonic.from_json(data["annotated"]), Isotonic.from_json(data["ocr"]))

    def __call__(self, scores: np.ndarray, ocr: np.ndarray | None = None) -> np.ndarray:
        scores = np.asarray(scores, dtype=np.float64)
        conf = np.ones(len(scores)) if ocr is None else np.asarray(ocr, dtype=np.float64)
        return np.where(conf >= 1.0, self.annotated(scores), self.ocr(scores))


class BoostedTrees:
    """Binary or multi-class boosted trees: ``predict_proba`` like scikit-learn's classifier."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.classes: list[str] = [str(c) for c in data["classes"]]
        self.features: list[str] = list(data["features"])
        self.baseline = np.asarray(data["baseline"], dtype=np.float64)  # one per output column
        # iterations x outputs (1 for binary, n_classes otherwise)
        self.trees = [[Tree.from_json(t) for t in it] for it in data["trees"]]

    def raw(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(self.features):
            raise ValueError(f"expected {len(self.features)} features, got shape {x.shape}")
        out = np.tile(self.baseline, (len(x), 1))
        for iteration in self.trees:
            for k, tree in enumerate(iteration):
                out[:, k] += tree.predict(x)
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros((0, len(self.classes)))
        raw = self.raw(x)
        if raw.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return np.column_stack([1.0 - p, p])
        raw = raw - raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        return e / e.sum(axis=1, keepdims=True)


def export_sklearn(model: Any, features: list[str]) -> dict[str, Any]:
    """A fitted ``HistGradientBoostingClassifier`` as JSON-ready arrays (used by the training script)."""
    trees = []
    for iteration in model._predictors:
        its = []
        for predictor in iteration:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            its.append(
                {
                    "feature": np.where(leaf, -1, nodes["feature_idx"]).astype(int).tolist(),
                    "threshold": [
                        float(v) if not lf else 0.0
                        for v, lf in zip(nodes["num_threshold"].tolist(), leaf.tolist(), strict=True)
                    ],
                    "left": nodes["left"].astype(int).tolist(),
                    "right": nodes["right"].astype(int).tolist(),
                    "value": [
                        round(float(v), 6) if lf else 0.0
                        for v, lf in zip(nodes["value"].tolist(), leaf.tolist(), strict=True)
                    ],
                    "missing_left": nodes["missing_go_to_left"].astype(bool).tolist(),
                }
            )
        trees.append(its)
    return {
        "classes": [str(c) for c in model.classes_],
        "features": features,
        "baseline": np.asarray(model._baseline_prediction, dtype=float).ravel().tolist(),
        "trees": trees,
    }
