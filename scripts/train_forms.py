"""Train the key-value linker shipped as ``src/docledger/ocr/models/forms-linker.json.gz``.

Data: the FUNSD development forms (``<corpus>/funsd/train``, 100 forms) plus generated forms
(:mod:`docledger.demo.forms`). The forms are split by sorted file name: every fifth form
(``stems[4::5]``, 20 forms) is the HOLD-OUT set, never read here; the other 80 are the
development set. Three input kinds are built for every development form:

* ``entities`` — the annotation's entities (grouping known);
* ``words`` — the annotation's words, grouped by the merge model;
* ``ocr`` — the default engine's lines (``analyze_page``, cached in ``--ocr-cache``), grouped by
  the merge model; OCR words get the annotation entity whose box holds most of them.

Models (scikit-learn ``HistGradientBoostingClassifier``, exported to plain arrays, see
``docledger.ocr.gbdt``): ``merge`` (two segments are one entity), ``label`` (question / answer /
header / other) and ``link`` (question -> answer). Five folds over the development forms give
out-of-fold predictions: the link threshold is chosen on them, and the isotonic calibration maps
(link score -> probability that the (key, value) pair is right; one for annotated text, one for
OCR) are fitted on them. Final models are trained on all development forms.

Run: ``python scripts/train_forms.py [--synthetic 150] [--ocr-cache .cache/forms-ocr]``
(~10 min on 2 cores when the OCR cache is warm; OCR of the 80 forms takes ~1 s each on an idle
machine). Requires ``scikit-learn`` (a training-only dependency, pinned in requirements.txt).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from docledger.demo.forms import generate_form  # noqa: E402
from docledger.ocr import linker as lk  # noqa: E402
from docledger.ocr.gbdt import BoostedTrees, Isotonic, SplitIsotonic, export_sklearn  # noqa: E402
from docledger.ocr.linker_features import (  # noqa: E402
    LABEL_NAMES,
    LABELS,
    LINK_NAMES,
    MERGE_NAMES,
    Node,
    label_features,
    link_candidates,
    link_features,
    page_unit,
)
from docledger.ocr.types import Line, Word, group_words_into_lines  # noqa: E402

MODEL_PATH = ROOT / "src" / "docledger" / "ocr" / "models" / "forms-linker.json.gz"
VERSION = "1.0.0"
MODES = ("entities", "words", "ocr")


def corpus_dir() -> Path:
    env = os.environ.get("DOCLEDGER_CORPUS")
    return Path(env) if env else (ROOT / ".." / "shared" / "corpus").resolve()


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def split_forms(folder: Path) -> tuple[list[str], list[str]]:
    """(development, hold-out) stems: the hold-out is every fifth form by sorted name."""
    stems = sorted(p.stem for p in (folder / "annotations").glob("*.json"))
    holdout = stems[4::5]
    return [s for s in stems if s not in holdout], holdout


# ---- one form's truth and inputs ------------------------------------------------------------------


@dataclass
class Form:
    name: str
    width: float
    height: float
    labels: dict[int, str]  # entity id -> label
    links: set[tuple[int, int]]  # question id -> answer id
    pairs: set[tuple[str, str]]  # normalised truth pairs
    entity_nodes: list[tuple[Node, int]] = field(default_factory=list)
    word_lines: list[Line] = field(default_factory=list)
    word_owner: dict[int, int] = field(default_factory=dict)  # id(word) -> entity id
    ocr_lines: list[Line] = field(default_factory=list)
    boxes: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)


def funsd_form(folder: Path, stem: str, ocr_cache: Path | None) -> Form:
    ann = json.loads((folder / "annotations" / f"{stem}.json").read_text())["form"]
    from PIL import Image

    with Image.open(folder / "images" / f"{stem}.png") as img:
        width, height = img.size
    ents = {e["id"]: e for e in ann}
    links = set()
    pairs = set()
    for e in ann:
        for a, b in e["linking"]:
            if a in ents and b in ents and ents[a]["label"] == "question" and ents[b]["label"] == "answer":
                links.add((a, b))
                k, v = norm(ents[a]["text"]), norm(ents[b]["text"])
                if k and v:
                    pairs.add((k, v))
    form = Form(stem, width, height, {e["id"]: e["label"] for e in ann}, links, pairs)
    words: list[Word] = []
    for e in ann:
        ws = [Word(w["text"], tuple(float(v) for v in w["box"]), 1.0) for w in e["words"] if w["text"].strip()]
        for w in ws:
            form.word_owner[id(w)] = e["id"]
        words.extend(ws)
        if ws:
            form.entity_nodes.append((Node(ws, [0]), e["id"]))
        form.boxes[e["id"]] = tuple(float(v) for v in e["box"])
    form.word_lines = group_words_into_lines(words)
    form.ocr_lines = ocr_lines(folder, stem, ocr_cache)
    return form


def ocr_lines(folder: Path, stem: str, cache: Path | None) -> list[Line]:
    path = cache / f"{stem}.json" if cache else None
    if path is None or not path.exists():
        if os.environ.get("FORMS_OCR_CACHED_ONLY"):
            return []
        from PIL import Image

        from docledger.ocr.analyze import analyze_page
        from docledger.ocr.engines import get_engine

        with Image.open(folder / "images" / f"{stem}.png") as img:
            a = analyze_page(img, get_engine("rapidocr"), page_number=1, structure=False)
        data = {"lines": [{"text": ln.text, "bbox": list(ln.bbox), "confidence": ln.confidence,
                           "words": [w.to_dict() | {"bbox": list(w.bbox)} for w in ln.words]} for ln in a.ocr.lines]}
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data))
    else:
        data = json.loads(path.read_text())
    return [
        Line(ln["text"], tuple(ln["bbox"]), float(ln["confidence"]),
             [Word(w["text"], tuple(w["bbox"]), float(w["confidence"])) for w in ln["words"]])
        for ln in data["lines"]
    ]


def owner_of_box(form: Form, box: tuple[float, float, float, float]) -> int | None:
    """The annotation entity holding most of ``box`` (at least half of it), else None."""
    area = max(1.0, (box[2] - box[0]) * (box[3] - box[1]))
    best, best_share = None, 0.5
    for eid, eb in form.boxes.items():
        iw = min(box[2], eb[2]) - max(box[0], eb[0])
        ih = min(box[3], eb[3]) - max(box[1], eb[1])
        if iw > 0 and ih > 0 and iw * ih / area > best_share:
            best, best_share = eid, iw * ih / area
    return best


def node_owner(form: Form, node: Node, mode: str) -> int | None:
    votes: dict[int, int] = {}
    for w in node.words:
        eid = form.word_owner.get(id(w)) if mode == "words" else owner_of_box(form, w.bbox)
        if eid is not None:
            votes[eid] = votes.get(eid, 0) + len(w.text)
    if not votes:
        return None
    eid, n = max(votes.items(), key=lambda kv: kv[1])
    return eid if n >= 0.5 * sum(len(w.text) for w in node.words) else None


# ---- synthetic forms as Form objects ----------------------------------------------------------------


def synthetic_form(seed: int) -> Form:
    sf = generate_form(random.Random(seed))
    links = set(sf.links)
    pairs = {(norm(q), norm(a)) for q, a in sf.pairs()}
    form = Form(f"synthetic-{seed}", sf.width, sf.height, {e.id: e.label for e in sf.entities}, links, pairs)
    words = []
    for e in sf.entities:
        for w in e.words:
            form.word_owner[id(w)] = e.id
        words.extend(e.words)
        form.entity_nodes.append((Node(list(e.words), [0]), e.id))
        form.boxes[e.id] = e.bbox
    form.word_lines = group_words_into_lines(words)
    return form


# ---- examples -------------------------------------------------------------------------------------


def segments(form: Form, mode: str) -> list[Node]:
    return lk.segments_of(form.word_lines if mode == "words" else form.ocr_lines)


def merge_examples(form: Form, mode: str) -> tuple[np.ndarray, np.ndarray]:
    segs = segments(form, mode)
    if not segs:
        return np.zeros((0, len(MERGE_NAMES))), np.zeros(0)
    unit = page_unit(segs)
    cands = lk.merge_candidates(segs, unit)
    owners = [node_owner(form, s, mode) for s in segs]
    y = np.array([owners[a] is not None and owners[a] == owners[b] for a, b, _, _ in cands], dtype=int)
    return lk.merge_matrix(segs, cands, unit), y


def grouped(form: Form, mode: str, merge: BoostedTrees | None, threshold: float) -> tuple[list[Node], list[int | None]]:
    if mode == "entities":
        nodes = [Node(list(n.words), [0]) for n, _ in form.entity_nodes]
        return nodes, [eid for _, eid in form.entity_nodes]
    segs = segments(form, mode)
    if not segs:
        return [], []
    unit = page_unit(segs)
    cands = lk.merge_candidates(segs, unit)
    merges = []
    if cands and merge is not None:
        p = merge.predict_proba(lk.merge_matrix(segs, cands, unit))[:, 1]
        merges = [(a, b) for (a, b, _, _), s in zip(cands, p, strict=True) if s >= threshold]
    nodes = lk.group_segments(segs, lk.union_groups(len(segs), merges))
    return nodes, [node_owner(form, n, mode) for n in nodes]


@dataclass
class PageData:
    form: Form
    mode: str
    nodes: list[Node]
    owners: list[int | None]
    label_x: np.ndarray
    label_y: np.ndarray
    pairs: list[tuple[int, int]]
    link_x: np.ndarray  # label-probability columns filled later
    link_y: np.ndarray


def page_data(form: Form, mode: str, merge: BoostedTrees | None, threshold: float) -> PageData:
    nodes, owners = grouped(form, mode, merge, threshold)
    unit = page_unit(nodes) if nodes else 10.0
    lx = label_features(nodes, form.width, form.height, unit) if nodes else np.zeros((0, len(LABEL_NAMES)))
    ly = np.array([LABELS.index(form.labels[o]) if o is not None else LABELS.index("other") for o in owners])
    pairs = link_candidates(nodes, unit) if nodes else []
    kx = link_features(nodes, pairs, unit) if pairs else np.zeros((0, len(LINK_NAMES)))
    ky = np.array([owners[i] is not None and (owners[i], owners[j]) in form.links for i, j in pairs], dtype=int)
    return PageData(form, mode, nodes, owners, lx, ly, pairs, kx, ky)


def fill_probs(page: PageData, label: BoostedTrees) -> None:
    if not page.nodes:
        return
    order = [label.classes.index(str(i)) for i in range(len(LABELS))]
    probs = label.predict_proba(page.label_x)[:, order]
    for node, row in zip(page.nodes, probs, strict=True):
        node.probs = [float(v) for v in row]
        node.label = LABELS[int(np.argmax(row))]
    if page.pairs:
        idx_q = [i for i, _ in page.pairs]
        idx_a = [j for _, j in page.pairs]
        page.link_x[:, 0:4] = probs[idx_q]
        page.link_x[:, 4:8] = probs[idx_a]


# ---- fitting ----------------------------------------------------------------------------------------


def fit(x: np.ndarray, y: np.ndarray, features: list[str], *, iters: int, seed: int = 0) -> BoostedTrees:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_iter=iters, learning_rate=0.08, max_leaf_nodes=31,
                                           min_samples_leaf=20, l2_regularization=1.0, random_state=seed)
    model.fit(x, y)
    exported = export_sklearn(model, features)
    trees = BoostedTrees(exported)
    sample = x[: min(len(x), 3000)]
    diff = np.abs(trees.predict_proba(sample) - model.predict_proba(sample)).max() if len(sample) else 0.0
    if diff > 1e-4:
        raise RuntimeError(f"exported trees disagree with scikit-learn by {diff}")
    trees.exported = exported  # type: ignore[attr-defined]
    return trees


def stack(parts: list[tuple[np.ndarray, np.ndarray]], width: int) -> tuple[np.ndarray, np.ndarray]:
    xs = [x for x, _ in parts if len(x)]
    ys = [y for x, y in parts if len(x)]
    if not xs:
        return np.zeros((0, width)), np.zeros(0)
    return np.vstack(xs), np.concatenate(ys)


@dataclass
class Models:
    merge: BoostedTrees
    label: BoostedTrees
    link: BoostedTrees


def train_models(forms: list[Form], merge_data: dict[str, list[tuple[np.ndarray, np.ndarray]]],
                 args: argparse.Namespace, merge_threshold: float) -> tuple[Models, list[PageData]]:
    mx, my = stack([d for f in forms for d in merge_data[f.name]], len(MERGE_NAMES))
    merge = fit(mx, my, MERGE_NAMES, iters=args.iters)
    pages = [page_data(f, mode, merge, merge_threshold) for f in forms for mode in modes_of(f)]
    lx, ly = stack([(p.label_x, p.label_y) for p in pages], len(LABEL_NAMES))
    label = fit(lx, ly, LABEL_NAMES, iters=args.iters)
    # link training sees label probabilities from a label model that did not see the page
    halves = [pages[0::2], pages[1::2]]
    for k, half in enumerate(halves):
        other = halves[1 - k]
        hx, hy = stack([(p.label_x, p.label_y) for p in other], len(LABEL_NAMES))
        cross = fit(hx, hy, LABEL_NAMES, iters=args.iters)
        for p in half:
            fill_probs(p, cross)
    kx, ky = stack([(p.link_x, p.link_y) for p in pages], len(LINK_NAMES))
    link = fit(kx, ky, LINK_NAMES, iters=args.iters)
    return Models(merge, label, link), pages


def modes_of(form: Form) -> tuple[str, ...]:
    return ("entities", "words", "ocr") if form.ocr_lines else ("entities", "words")


def model_json(models: Models, thresholds: dict[str, float], calibration: SplitIsotonic,
               info: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "forms-linker",
        "version": VERSION,
        "merge": models.merge.exported,  # type: ignore[attr-defined]
        "label": {**models.label.exported, "classes": LABELS},  # type: ignore[attr-defined]
        "link": models.link.exported,  # type: ignore[attr-defined]
        "calibration": {"kind": "split-isotonic",
                        "annotated": {"x": calibration.annotated.x.tolist(), "y": calibration.annotated.y.tolist()},
                        "ocr": {"x": calibration.ocr.x.tolist(), "y": calibration.ocr.y.tolist()}},
        "thresholds": thresholds,
        "info": info,
    }


def as_linker(models: Models, thresholds: dict[str, float], calibration: Isotonic) -> lk.LinkerModel:
    label = BoostedTrees({**models.label.exported, "classes": LABELS})  # type: ignore[attr-defined]
    return lk.LinkerModel("forms-linker", VERSION, models.merge, label, models.link, calibration,
                          thresholds["merge"], thresholds["link"], thresholds["second_question"], {})


def scored_page(form: Form, mode: str, model: lk.LinkerModel) -> tuple[list[Node], list[tuple[int, int, float]]]:
    if mode == "entities":
        nodes = [Node(list(n.words), [0]) for n, _ in form.entity_nodes]
    else:
        nodes = lk.entities_from_lines(form.word_lines if mode == "words" else form.ocr_lines, model)
    lk.label_nodes(nodes, form.width, form.height, model)
    return nodes, lk.score_links(nodes, model) if nodes else []


def decoded_pairs(nodes: list[Node], scored: list[tuple[int, int, float]],
                  model: lk.LinkerModel) -> list[tuple[str, str, float]]:
    return [(norm(nodes[link.key].text), norm(nodes[link.value].text), link.score,
             min(nodes[link.key].confidence, nodes[link.value].confidence))
            for link in lk.decode_links(nodes, scored, model)]


def f1_of(counts: list[int]) -> float:
    tp, npred, ntruth = counts
    p = tp / npred if npred else 0.0
    r = tp / ntruth if ntruth else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=150, help="generated forms added to training")
    parser.add_argument("--ocr-cache", type=Path, default=ROOT / ".cache" / "forms-ocr")
    parser.add_argument("--iters", type=int, default=150)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--keep-oof", action="store_true", help="also write the out-of-fold points next to --out")
    parser.add_argument("--limit", type=int, default=0, help="development forms to use (0 = all; for trials)")
    args = parser.parse_args()
    folder = corpus_dir() / "funsd" / "train"
    if not folder.exists():
        print(f"corpus not found at {folder}; set DOCLEDGER_CORPUS")
        return 1
    started = time.perf_counter()
    dev, holdout = split_forms(folder)
    forms = [funsd_form(folder, s, args.ocr_cache) for s in (dev[: args.limit] if args.limit else dev)]
    synth = [synthetic_form(10_000 + i) for i in range(args.synthetic)]
    print(f"{len(forms)} development forms (hold-out of {len(holdout)} not read), {len(synth)} generated; "
          f"loaded in {time.perf_counter() - started:.0f}s")
    merge_data = {f.name: [merge_examples(f, m) for m in modes_of(f) if m != "entities"] for f in forms + synth}
    merge_threshold = 0.5
    # out-of-fold predictions
    sweep = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]
    oof_t: dict[tuple[str, float], list[tuple[float, float, int]]] = {(m, t): [] for m in MODES for t in sweep}
    counts = {(m, t): [0, 0, 0] for m in MODES for t in sweep}
    for k in range(args.folds):
        test = forms[k :: args.folds]
        train = [f for f in forms if f not in test] + synth
        models, _ = train_models(train, merge_data, args, merge_threshold)
        for f in test:
            for m in modes_of(f):
                base = as_linker(models, {"merge": merge_threshold, "link": sweep[0], "second_question": 0.8},
                                 Isotonic(np.array([]), np.array([])))
                nodes, scored = scored_page(f, m, base)
                for t in sweep:
                    base.link_threshold = t
                    pred = decoded_pairs(nodes, scored, base)
                    c = counts[(m, t)]
                    hits = [(key, value) in f.pairs for key, value, _, _ in pred]
                    c[0] += len({(key, value) for key, value, _, _ in pred} & f.pairs)
                    c[1] += len(pred)
                    c[2] += len(f.pairs)
                    oof_t[(m, t)].extend((s, oc, int(h)) for (_, _, s, oc), h in zip(pred, hits, strict=True))
        print(f"fold {k + 1}/{args.folds} done at {time.perf_counter() - started:.0f}s", flush=True)
    best_t = max(sweep, key=lambda t: sum(f1_of(counts[(m, t)]) for m in MODES))
    for t in sweep:
        print(f"threshold {t:.2f}: " + "  ".join(f"{m} F1 {f1_of(counts[(m, t)]):.3f}" for m in MODES)
              + ("  <- chosen" if t == best_t else ""))
    # calibration on the out-of-fold pairs: one isotonic map for annotated text, one for OCR
    oof = {m: oof_t[(m, best_t)] for m in MODES}
    calibration = fit_calibration(oof)
    if args.keep_oof:
        (args.out.parent / "forms-linker-oof.json").write_text(json.dumps({m: oof[m] for m in MODES}))
    for m in MODES:
        sel = oof[m]
        if not sel:
            continue
        raw = ece([s for s, _, _ in sel], [h for _, _, h in sel])
        cal = ece(list(calibration(np.array([s for s, _, _ in sel]), np.array([c for _, c, _ in sel]))),
                  [h for _, _, h in sel])
        print(f"out-of-fold ECE ({m}, {len(sel)} pairs): raw score {raw:.3f}, calibrated {cal:.3f} "
              "(calibration fitted on these points)")
    models, _ = train_models(forms + synth, merge_data, args, merge_threshold)
    thresholds = {"merge": merge_threshold, "link": best_t, "second_question": 0.8}
    info = {"trained_on": f"FUNSD development forms ({len(forms)}, hold-out stems[4::5] excluded) + "
                          f"{len(synth)} generated forms", "oof_f1": {m: round(f1_of(counts[(m, best_t)]), 4)
                                                                     for m in MODES},
            "calibration": "isotonic on out-of-fold pairs, annotated and OCR apart",
            "script": "scripts/train_forms.py"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    blob = json.dumps(model_json(models, thresholds, calibration, info), separators=(",", ":")).encode()
    args.out.write_bytes(gzip.compress(blob, mtime=0))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - started:.0f}s")
    return 0


def fit_calibration(oof: dict[str, list[tuple[float, float, int]]]) -> SplitIsotonic:
    """Isotonic maps (score -> share right): annotated inputs (entities, words) and OCR apart."""
    from sklearn.isotonic import IsotonicRegression

    def fit(points: list[tuple[float, float, int]]) -> Isotonic:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(np.array([p[0] for p in points]), np.array([p[2] for p in points], dtype=float))
        return Isotonic(np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_))

    annotated = oof["entities"] + oof["words"]
    return SplitIsotonic(fit(annotated), fit(oof["ocr"] or annotated))


def ece(probs: list[float], hits: list[int], bins: int = 10) -> float:
    """Expected calibration error over equal-width probability bins."""
    if not probs:
        return 0.0
    p = np.asarray(probs)
    h = np.asarray(hits, dtype=float)
    total = 0.0
    for b in range(bins):
        sel = (p >= b / bins) & (p < (b + 1) / bins) if b < bins - 1 else (p >= b / bins)
        if sel.any():
            total += sel.sum() / len(p) * abs(p[sel].mean() - h[sel].mean())
    return float(total)


if __name__ == "__main__":
    raise SystemExit(main())
