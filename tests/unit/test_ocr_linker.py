"""The learned key-value linker: shipped model loads offline, finds the known pairs of generated forms."""

from __future__ import annotations

import random
import socket

import numpy as np
import pytest

from docledger.demo.forms import generate_form
from docledger.ocr import linker
from docledger.ocr.forms import extract_forms_from_words
from docledger.ocr.gbdt import BoostedTrees


def test_model_file_ships_in_the_package_and_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the linker model must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    linker.load_model.cache_clear()
    model = linker.load_model()
    assert model.name == "forms-linker" and model.version.count(".") == 2
    assert linker.model_version() == f"forms-linker@{model.version}"
    assert 0.0 < model.link_threshold < 1.0
    assert model.label.classes == ["question", "answer", "header", "other"]
    # the calibration map is monotone and stays a probability
    probs = model.calibration(np.linspace(0, 1, 101))
    assert np.all(np.diff(probs) >= 0) and probs.min() >= 0.0 and probs.max() <= 1.0


def test_tree_evaluator_follows_thresholds_and_missing_values() -> None:
    stump = {
        "feature": [0, -1, -1],
        "threshold": [0.5, 0.0, 0.0],
        "left": [1, 0, 0],
        "right": [2, 0, 0],
        "value": [0.0, -2.0, 3.0],
        "missing_left": [False, False, False],
    }
    trees = BoostedTrees({"classes": ["0", "1"], "features": ["x"], "baseline": [0.5], "trees": [[stump]]})
    raw = trees.raw(np.array([[0.5], [0.51], [np.nan]]))[:, 0]
    assert raw.tolist() == [-1.5, 3.5, 3.5]
    with pytest.raises(ValueError, match="expected 1 features"):
        trees.raw(np.zeros((1, 2)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_linker_finds_the_known_pairs_of_a_generated_form(seed: int) -> None:
    form = generate_form(random.Random(seed))  # training used seeds from 10000 on
    truth = set(form.pairs())
    assert len(truth) >= 8
    fields = [f for f in extract_forms_from_words(form.words, method="linker") if f.value]
    found = {(f.key, f.value) for f in fields}
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert recall >= 0.7 and precision >= 0.7, (sorted(truth - found), sorted(found - truth))
    for f in fields:
        assert f.method == "linker" and 0.0 <= f.confidence <= 1.0 and f.model == linker.model_version()
        assert f.to_dict()["key"] == f.key and "link_score" in f.to_dict()
    # constrained decoding: an answer has one question, two only for a table cell (column + row header)
    keys_of: dict[object, list[object]] = {}
    for f in fields:
        keys_of.setdefault(f.value_bbox, []).append(f.key_bbox)
    for keys in keys_of.values():
        assert len(keys) <= 2
        if len(keys) == 2:
            (a0, a1, a2, a3), (b0, b1, b2, b3) = keys  # type: ignore[misc]
            assert min(a3, b3) <= max(a1, b1) or min(a2, b2) <= max(a0, b0)  # not on the same row or column
