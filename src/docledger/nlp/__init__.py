"""docledger's NLP library: pure functions the ``nlp``, ``index``, ``graph`` and ``redact`` stages call.

Modules load their models lazily and once per process (spaCy, Presidio, the MiniLM ONNX
session), so importing :mod:`docledger.nlp` is cheap.
"""

from docledger.nlp.sentences import Sentence, split_sentences

__all__ = ["Sentence", "split_sentences"]
