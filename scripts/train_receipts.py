"""Train the receipt row model (company / address / other) and write it as package data.

Data: the SROIE development receipts (``corpus/sroie/dev``: ``box/NNN.csv`` ground-truth text
lines, ``key/NNN.json`` fields, ``img/NNN.jpg``). A fixed quarter of them (ids with
``int(id) % 4 == 3``, 25 of 100) is HELD OUT: never read here, only by
``bench/quality_receipts.py``. The other 75 give two views each:

* the ground-truth lines of ``box/*.csv`` (clean text, printed geometry), and
* the lines of the default OCR engine on the image (the rows a user's scan really gives),
  read once and cached in ``--ocr-cache`` (a folder outside the repository).

Rows are labelled by token overlap with the key's company and address strings
(:func:`docledger.ocr.receipt_lines.row_labels`). The model is scikit-learn's
GradientBoostingClassifier; its trees are exported to JSON (numbers only) and evaluated with
numpy at run time. Decoding thresholds and the confidence calibration (isotonic regression of
"field exactly right" on the block score) come from 5-fold cross-validation grouped by receipt,
so no receipt scores itself.

Run: ``python scripts/train_receipts.py [--ocr-cache /tmp/sroie-ocr] [--no-ocr]`` (about a
minute without OCR; reading 75 receipts with OCR takes several minutes on 2 cores, once).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from docledger.ocr import receipt_lines as rl  # noqa: E402
from docledger.ocr.types import Line, Word  # noqa: E402

VERSION = "1.0.0"
OUT = ROOT / "src" / "docledger" / "ocr" / "models" / rl.MODEL_FILE
SEED = 0


def corpus_dir() -> Path:
    env = os.environ.get("DOCLEDGER_CORPUS")
    return Path(env) if env else (ROOT / ".." / "shared" / "corpus").resolve()


def truth_lines(csv_path: Path) -> list[Line]:
    lines: list[Line] = []
    with csv_path.open(encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            parts = raw.rstrip("\n").split(",", 8)
            if len(parts) < 9 or not parts[8].strip():
                continue
            xs = [float(v) for v in parts[0:8:2]]
            ys = [float(v) for v in parts[1:8:2]]
            box = (min(xs), min(ys), max(xs), max(ys))
            lines.append(Line(parts[8].strip(), box, 1.0, [Word(parts[8].strip(), box, 1.0)]))
    return lines


def ocr_lines(image: Path, cache: Path | None) -> list[Line]:
    """Lines of the default engine through the pipeline's page analysis (cached as JSON)."""
    cached = cache / f"{image.stem}.json" if cache else None
    if cached and cached.exists():
        data = json.loads(cached.read_text())
    else:
        from PIL import Image

        from docledger.ocr.analyze import analyze_page
        from docledger.ocr.engines import get_engine

        analysis = analyze_page(Image.open(image).convert("RGB"), get_engine("rapidocr"), page_number=1,
                                structure=False)
        data = {"lines": [ln.to_dict() for ln in analysis.ocr.lines]}
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(data))
    return [Line(d["text"], tuple(d["bbox"]), float(d["confidence"]), []) for d in data["lines"]]


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def export(clf, thresholds: dict[str, float], calibration: dict[str, list[float]]) -> dict:
    """The fitted GradientBoostingClassifier as plain numbers (see RowModel)."""
    trees = []
    for stage in clf.estimators_:
        trees.append([
            {
                "feature": [int(f) for f in est.tree_.feature],
                "threshold": [float(t) for t in est.tree_.threshold],
                "left": [int(v) for v in est.tree_.children_left],
                "right": [int(v) for v in est.tree_.children_right],
                "value": [float(v) for v in est.tree_.value[:, 0, 0]],
            }
            for est in stage
        ])
    probe = np.zeros((1, len(rl.FEATURES)))
    # baseline = decision_function minus the trees' contribution, measured on one probe row
    contrib = np.zeros(len(clf.classes_))
    for stage in clf.estimators_:
        for k, est in enumerate(stage):
            contrib[k] += clf.learning_rate * est.predict(probe)[0]
    baseline = clf.decision_function(probe)[0] - contrib
    return {
        "format": rl.MODEL_FORMAT,
        "version": VERSION,
        "features": list(rl.FEATURES),
        "classes": [rl.CLASSES[int(c)] for c in clf.classes_],
        "learning_rate": clf.learning_rate,
        "baseline": [float(b) for b in baseline],
        "thresholds": thresholds,
        "calibration": calibration,
        "trees": trees,
    }


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.ensemble import GradientBoostingClassifier

    clf = GradientBoostingClassifier(n_estimators=120, max_depth=3, learning_rate=0.1, subsample=0.8,
                                     min_samples_leaf=3, random_state=SEED)
    return clf.fit(x, y)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ocr-cache", type=Path, default=Path("/tmp/docledger-sroie-ocr"))
    parser.add_argument("--no-ocr", action="store_true", help="train on ground-truth lines only")
    parser.add_argument("--cached-only", action="store_true", help="OCR view only for receipts already in the cache")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    folder = corpus_dir() / "sroie" / "dev"
    if not folder.exists():
        print(f"corpus not found at {folder}; set DOCLEDGER_CORPUS")
        return 1
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import GroupKFold

    samples = []  # (receipt id, view, rows, labels, truth)
    for key in sorted((folder / "key").glob("*.json")):
        if rl.held_out(key.stem):
            continue
        truth = json.loads(key.read_text())
        views = {"gt": truth_lines(folder / "box" / f"{key.stem}.csv")}
        cached = (args.ocr_cache / f"{key.stem}.json").exists()
        if not args.no_ocr and (cached or not args.cached_only):
            views["ocr"] = ocr_lines(folder / "img" / f"{key.stem}.jpg", args.ocr_cache)
        for view, lines in views.items():
            rows = rl.rows_with_boxes(lines)
            labels = rl.row_labels(rows, truth["company"], truth["address"])
            samples.append((key.stem, view, rows, labels, truth))
    print(f"{len({s[0] for s in samples})} training receipts, {len(samples)} views, "
          f"{sum(len(s[2]) for s in samples)} rows")
    feats = [rl.row_features(s[2]) for s in samples]
    x = np.vstack(feats)
    y = np.concatenate([np.asarray(s[3]) for s in samples])
    groups = np.concatenate([[s[0]] * len(s[2]) for s in samples])
    print("rows per class:", {rl.CLASSES[k]: int((y == k).sum()) for k in range(3)})

    # cross-validated decoding: thresholds and calibration from receipts the fold did not see
    oof = np.zeros((len(y), 3))
    for train_idx, test_idx in GroupKFold(n_splits=5).split(x, y, groups):
        oof[test_idx] = fit(x[train_idx], y[train_idx]).predict_proba(x[test_idx])
    offsets = np.cumsum([0] + [len(s[2]) for s in samples])
    best: dict[str, float] = {}
    scores: dict[str, list[tuple[float, bool]]] = {}
    for field, k in (("company", 1), ("address", 2)):
        results = {}
        for t in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
            hits, pairs = 0, []
            for i, s in enumerate(samples):
                probs = oof[offsets[i] : offsets[i + 1], k]
                limit = min(len(probs), 20 if field == "company" else 25)
                block = rl._block(probs, limit, t)
                got = " ".join(r.text for r in s[2][block[0] : block[1] + 1]) if block else ""
                if field == "company" and got:
                    from docledger.ocr.receipts import _clean_company

                    got = _clean_company(got)
                ok = bool(got) and norm(got) == norm(s[4][field])
                hits += ok
                if block:
                    pairs.append((block[2], ok))
            results[t] = (hits, pairs)
        t_best = max(results, key=lambda t: (results[t][0], -abs(t - 0.5)))
        best[field] = t_best
        scores[field] = results[t_best][1]
        print(f"{field}: cross-validated exact {results[t_best][0]}/{len(samples)} at threshold {t_best}; "
              + ", ".join(f"{t}:{h}" for t, (h, _) in results.items()))
    calibration: dict[str, list[float]] = {}
    for field, pairs in scores.items():
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        xs = np.array([p for p, _ in pairs])
        iso.fit(xs, np.array([float(ok) for _, ok in pairs]))
        grid = np.linspace(0.0, 1.0, 21)
        calibration[field] = [round(float(v), 4) for pair in zip(grid, iso.predict(grid), strict=True) for v in pair]

    clf = fit(x, y)
    data = export(clf, best, calibration)
    blob = json.dumps(data, separators=(",", ":")).encode()
    model = rl.RowModel(json.loads(blob), hashlib.sha256(blob).hexdigest())
    diff = float(np.abs(model.predict_proba(x) - clf.predict_proba(x)).max())
    assert diff < 1e-6, f"exported trees disagree with scikit-learn by {diff}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    print(f"wrote {args.out} ({len(blob) / 1024:.0f} KB, version {VERSION}, sha256 {model.sha256[:16]}); "
          f"max |p_json - p_sklearn| = {diff:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
