"""OCR engines behind one typed interface.

Why a protocol and not a base class: an engine is anything with ``name``, ``version`` and
``recognize(image) -> PageOcr``; a customer's own engine needs no import from here. Three ship:

* ``rapidocr`` — PP-OCRv6 ONNX models from the ``rapidocr`` wheel on onnxruntime. The angle
  classifier is switched off (``Global.use_cls: False``): it flips upright lines of clean scans
  into garbage. Page rotation is handled by :mod:`docledger.ocr.preprocess` instead.
* ``tesseract`` — libtesseract through tesserocr with Debian's ``eng`` traineddata; one
  ``PyTessBaseAPI`` per engine object, reused across pages (init is 60 ms, but not free).
* ``null`` — reads nothing; lets plumbing be tested without models.

Thread safety: an engine object serialises its own ``recognize`` calls with a lock, so sharing
one across threads is safe but not parallel. For parallel OCR give every worker thread its own
engine from :func:`create_engine`; :func:`get_engine` returns one cached instance per process.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

import numpy as np
from PIL import Image

from docledger.exceptions import ConfigurationError
from docledger.ocr.types import BBox, Line, PageOcr, Word, bbox_union, line_from_words

if TYPE_CHECKING:
    from rapidocr.utils.output import RapidOCROutput

TESSDATA_DIR = os.environ.get("TESSDATA_PREFIX", "/usr/share/tesseract-ocr/5/tessdata/")
ENGINE_NAMES = ("auto", "rapidocr", "rapidocr-reference", "tesseract", "null")


@runtime_checkable
class OcrEngine(Protocol):
    name: str
    version: str

    def recognize(self, image: Image.Image) -> PageOcr: ...


def _rgb(image: Image.Image) -> Image.Image:
    return image if image.mode == "RGB" else image.convert("RGB")


def _quad_to_bbox(points: Any) -> BBox:
    arr = np.asarray(points, dtype=float).reshape(-1, 2)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 0].max()), float(arr[:, 1].max()))


class NullEngine:
    """Reads nothing. For tests of plumbing and for pipelines that only want page images."""

    name = "null"
    version = "1"

    def recognize(self, image: Image.Image) -> PageOcr:
        return PageOcr(width=image.width, height=image.height)


DET_MIN_SIDE = 736  # rapidocr's default: small images (receipts, crops) are enlarged to this short side
DET_MAX_SIDE = 1280  # larger pages are shrunk to this long side for detection only (recognition keeps pixels)


def _no_spin_session(session: Any, threads: int) -> Any:
    """The same ONNX model in a session whose idle threads sleep instead of spinning.

    onnxruntime's worker threads busy-wait between operators by default; on a 2-core machine
    shared with other workers that burns the cycles the next operator needs.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads > 0:
        options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(session._model_path, sess_options=options, providers=["CPUExecutionProvider"])


class RapidOcrEngine:
    """RapidOCR 3.x (PP-OCRv6 small det + rec, onnxruntime, CPU).

    ``profile="fast"`` (the default) sizes detection per page (pages larger than
    :data:`DET_MAX_SIDE` are detected on a shrunk copy; the line crops that recognition reads
    still come from the full image) and runs both models in sessions without thread spinning.
    ``profile="reference"`` is rapidocr's own configuration, kept for benchmarks.
    """

    name = "rapidocr"

    def __init__(self, *, text_score: float = 0.5, profile: str = "fast") -> None:
        from rapidocr import RapidOCR
        from rapidocr._version import __version__ as rapid_version

        if profile not in ("fast", "reference"):
            raise ConfigurationError(
                f"Unknown rapidocr profile '{profile}'.", code="unknown_ocr_engine", hint="Use 'fast' or 'reference'."
            )
        self.profile = profile
        threads = int(os.environ.get("DOCLEDGER_COMPUTE_THREADS") or -1)

        self._engine = RapidOCR(
            params={
                "Global.use_cls": False,
                "Global.log_level": "warning",
                "Global.return_word_box": True,
                "Global.text_score": text_score,
                # several worker processes share the cores: DOCLEDGER_COMPUTE_THREADS caps each one
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            }
        )
        self.version = f"rapidocr {rapid_version}; PP-OCRv6_det_small + PP-OCRv6_rec_small; onnxruntime"
        self._det: Any = None
        if profile == "fast":
            # rapidocr loads its models lazily; load them now to swap in non-spinning sessions
            self._det = self._engine._load_det_model()
            rec = self._engine._load_rec_model()
            for model in (self._det, rec):
                model.session.session = _no_spin_session(model.session.session, threads)
            self.version += f"; fast: det long side <= {DET_MAX_SIDE}, no thread spinning"
        self._lock = threading.Lock()

    def _size_detection(self, width: int, height: int) -> None:
        if self._det is None:
            return
        if min(width, height) < DET_MIN_SIDE:
            self._det.limit_type, self._det.limit_side_len = "min", DET_MIN_SIDE
        else:
            self._det.limit_type, self._det.limit_side_len = "max", DET_MAX_SIDE

    def recognize(self, image: Image.Image) -> PageOcr:
        rgb = np.asarray(_rgb(image))
        with self._lock:
            self._size_detection(image.width, image.height)
            # the full det+rec pipeline always returns a RapidOCROutput; the stub's union covers det/cls/rec-only
            result = cast("RapidOCROutput", self._engine(rgb))
        page = PageOcr(width=image.width, height=image.height)
        if result.boxes is None or result.txts is None:
            return page
        if result.scores is None:  # rapidocr sets scores with texts; zip() below would raise TypeError too
            raise TypeError("rapidocr returned recognised texts without scores")
        word_results = result.word_results or ()
        for i, (quad, text, score) in enumerate(zip(result.boxes, result.txts, result.scores, strict=True)):
            text = text.strip()
            if not text:
                continue
            line_box = _quad_to_bbox(quad)
            words = self._words_of_line(word_results[i] if i < len(word_results) else (), line_box, text, score)
            line = line_from_words(words) if words else Line(text, line_box, float(score), [])
            # Keep the engine's own line text and box: its spacing is better than a re-join.
            line.text, line.bbox, line.confidence = text, line_box, float(score)
            page.lines.append(line)
            page.words.extend(words)
        return page

    @staticmethod
    def _words_of_line(items: Any, line_box: BBox, text: str, score: float) -> list[Word]:
        words: list[Word] = []
        for item in items or ():
            word_text, word_score, quad = item[0], item[1], item[2] if len(item) > 2 else None
            word_text = str(word_text).strip()
            if not word_text or quad is None:
                continue
            words.append(Word(word_text, _quad_to_bbox(quad), float(word_score)))
        if words and " ".join(w.text for w in words).replace(" ", "") == text.replace(" ", ""):
            return sorted(words, key=lambda w: w.bbox[0])
        return _split_line_evenly(text, line_box, float(score))


def _split_line_evenly(text: str, box: BBox, score: float) -> list[Word]:
    """Word boxes by character share when the engine gave none (width proportional to length)."""
    tokens = text.split()
    total = len(text)
    x0, y0, x1, y1 = box
    per_char = (x1 - x0) / max(total, 1)
    words: list[Word] = []
    pos = 0
    for token in tokens:
        start = text.index(token, pos)
        pos = start + len(token)
        words.append(Word(token, (x0 + start * per_char, y0, x0 + pos * per_char, y1), score))
    return words


class TesseractEngine:
    """Tesseract 5 (LSTM) through tesserocr, English traineddata from Debian."""

    name = "tesseract"

    def __init__(self, *, lang: str = "eng", psm: int | None = None, tessdata: str = TESSDATA_DIR) -> None:
        import tesserocr

        self._tesserocr = tesserocr
        if not os.path.exists(os.path.join(tessdata, f"{lang}.traineddata")):
            raise ConfigurationError(
                f"Tesseract language data '{lang}' not found in {tessdata}.",
                code="tessdata_missing",
                hint="Install tesseract-ocr-eng (apt) or set TESSDATA_PREFIX to the tessdata folder.",
            )
        self._api = tesserocr.PyTessBaseAPI(
            path=tessdata, lang=lang, psm=psm if psm is not None else tesserocr.PSM.AUTO
        )
        self.version = f"tesseract {tesserocr.tesseract_version().split()[1]}; tesserocr; {lang} LSTM"
        self._lock = threading.Lock()

    def recognize(self, image: Image.Image) -> PageOcr:
        tesserocr = self._tesserocr
        ril = tesserocr.RIL
        page = PageOcr(width=image.width, height=image.height)
        with self._lock:
            api = self._api
            api.SetImage(image if image.mode in ("L", "RGB") else image.convert("RGB"))
            api.Recognize()
            it = api.GetIterator()
            current: list[Word] = []
            line_box: BBox | None = None
            line_conf = 0.0
            if it is not None and not it.Empty(ril.WORD):
                while True:
                    if it.IsAtBeginningOf(ril.TEXTLINE):
                        self._flush(page, current, line_box, line_conf)
                        current = []
                        lb = it.BoundingBox(ril.TEXTLINE)
                        line_box = cast(BBox, tuple(float(v) for v in lb)) if lb else None
                        line_conf = (it.Confidence(ril.TEXTLINE) or 0.0) / 100.0
                    text = (it.GetUTF8Text(ril.WORD) or "").strip()
                    box = it.BoundingBox(ril.WORD)
                    if text and box:
                        word = Word(
                            text, cast(BBox, tuple(float(v) for v in box)), (it.Confidence(ril.WORD) or 0.0) / 100.0
                        )
                        current.append(word)
                        page.words.append(word)
                    if not it.Next(ril.WORD):
                        break
            self._flush(page, current, line_box, line_conf)
            api.Clear()
        return page

    @staticmethod
    def _flush(page: PageOcr, words: list[Word], box: BBox | None, conf: float) -> None:
        if not words:
            return
        line = line_from_words(words)
        line.bbox = bbox_union([line.bbox, box]) if box else line.bbox
        line.confidence = conf or line.confidence
        page.lines.append(line)

    def close(self) -> None:
        self._api.End()


AUTO_MIN_CONFIDENCE = 0.94  # tesseract's character-weighted mean word confidence on the page
AUTO_MAX_DOUBTFUL = 0.02  # share of words below 0.6 confidence
AUTO_MIN_WORDS = 15


class AutoEngine:
    """Chooses per page: tesseract when it reads the page cleanly, else rapidocr.

    The rule (measured in ``bench/ocr_speed.py`` and ``bench/quality_receipts.py``): tesseract
    reads clean office scans as well as rapidocr (CER < 2 %) in a third of the time, but falls
    behind on photos, receipts and noisy scans. Its own word confidences tell the two apart: a
    page is kept when the character-weighted mean confidence is >= :data:`AUTO_MIN_CONFIDENCE`,
    at most :data:`AUTO_MAX_DOUBTFUL` of the words are below 0.6 and there are at least
    :data:`AUTO_MIN_WORDS` words; every other page is read again by rapidocr. The page records
    which engine read it (``PageOcr.engine``), and the stage writes it to ``ocr.json`` and the run.
    """

    name = "auto"

    def __init__(self) -> None:
        self._tesseract = TesseractEngine()
        self._rapid = RapidOcrEngine()
        self.version = f"auto: {self._tesseract.version} | {self._rapid.version}"

    @staticmethod
    def clean_enough(page: PageOcr) -> bool:
        words = [w for w in page.words if any(c.isalnum() for c in w.text)]
        if len(words) < AUTO_MIN_WORDS:
            return False
        doubtful = sum(1 for w in words if w.confidence < 0.6) / len(words)
        return page.mean_confidence >= AUTO_MIN_CONFIDENCE and doubtful <= AUTO_MAX_DOUBTFUL

    def recognize(self, image: Image.Image) -> PageOcr:
        page = self._tesseract.recognize(image)
        chosen: OcrEngine = self._tesseract
        if not self.clean_enough(page):
            page = self._rapid.recognize(image)
            chosen = self._rapid
        page.engine, page.engine_version = chosen.name, chosen.version
        return page


def create_engine(name: str) -> OcrEngine:
    """A new engine instance (loads its models). Use one per worker thread for parallel OCR."""
    if name == "rapidocr":
        return RapidOcrEngine()
    if name == "rapidocr-reference":
        return RapidOcrEngine(profile="reference")
    if name == "tesseract":
        return TesseractEngine()
    if name == "auto":
        return AutoEngine()
    if name == "null":
        return NullEngine()
    raise ConfigurationError(
        f"Unknown OCR engine '{name}'.",
        code="unknown_ocr_engine",
        hint=f"Choose one of: {', '.join(ENGINE_NAMES)}.",
    )


@functools.cache
def get_engine(name: str) -> OcrEngine:
    """The process-wide engine of that name, created on first use (models load once)."""
    return create_engine(name)
