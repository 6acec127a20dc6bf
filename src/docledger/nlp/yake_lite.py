"""The YAKE keyword statistic computed on an existing spaCy parse.

YAKE (Campos et al., Information Sciences 509, 2020) scores each word by five features
and each candidate phrase of up to 3 words from its words' scores; lower is better. This is
the same statistic as the ``yake`` package's defaults (window 1, stop words in the middle
weighted by their bigram probabilities, plural "s" folded), but it reads the tokens and
sentences spaCy already produced instead of re-tokenising the text and building a networkx
graph, which made the package cost more per page than the spaCy parse itself. The
package's similarity-based de-duplication is left to the caller (key phrases de-duplicate by
case, plural and containment).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

__all__ = ["yake_keywords"]

MAX_WORDS = 3


@dataclass
class _Term:
    tf: int = 0
    tf_upper: int = 0  # ALL CAPS occurrences (acronyms)
    tf_proper: int = 0  # Capitalised, not at a sentence start
    sentences: set[int] = field(default_factory=set)
    left: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    stop: bool = False
    h: float = 0.0


def _key(word: str) -> str:
    w = word.lower()
    return w[:-1] if len(w) > 3 and w.endswith("s") else w


def _tag(text: str, is_punct: bool) -> str:
    """'p' breaks a block, 'd' is a number, 'u' is unusual (mixed symbols): neither starts a phrase."""
    if is_punct or not text.strip():
        return "p"
    if any(c.isdigit() for c in text):
        return "d"
    if not text.replace("-", "").replace("'", "").isalpha():
        return "u"
    return "w"


def _words(sent: Span) -> list[tuple[str, bool, bool]]:
    """(text, is_punct, is_stop) of a sentence's words; "thirty-year" stays one word, as YAKE has it."""
    out: list[tuple[str, bool, bool]] = []
    join_next = False
    for tok in sent:
        if join_next:
            out[-1] = (out[-1][0] + tok.text, False, False)
            join_next = False
            continue
        infix = (
            tok.text == "-" and out and not out[-1][1] and not tok.whitespace_
            and not tok.doc[tok.i - 1].whitespace_ and tok.i + 1 < sent.end
        )  # fmt: skip
        if infix:
            out[-1] = (out[-1][0] + "-", False, False)
            join_next = True
            continue
        out.append((tok.text, tok.is_punct, tok.is_stop))
    return out


def yake_keywords(docs: list[tuple[int, Doc]], top: int = 30) -> list[tuple[str, float]]:
    """The ``top`` candidates of the parsed text as (surface, score), best (lowest) first."""
    terms: dict[str, _Term] = defaultdict(_Term)
    blocks: list[list[tuple[str, str, str]]] = []  # runs of (key, surface, tag) without breaks
    n_sent = 0
    for _, doc in docs:
        for sent in doc.sents:
            block: list[tuple[str, str, str]] = []
            first = True
            for text, is_punct, is_stop in _words(sent):
                tag = _tag(text, is_punct)
                if tag == "p":
                    if block:
                        blocks.append(block)
                    block = []
                    continue
                key = _key(text)
                t = terms[key]
                t.tf += 1
                t.stop = t.stop or is_stop or len(key) < 3
                t.sentences.add(n_sent)
                if tag == "w" and text.isupper() and len(text) > 1:
                    t.tf_upper += 1
                elif tag == "w" and text[:1].isupper() and not first:
                    t.tf_proper += 1
                if tag in ("w",) and block and block[-1][2] == "w":
                    prev = block[-1][0]
                    terms[prev].right[key] += 1
                    t.left[prev] += 1
                block.append((key, text, tag))
                first = False
            if block:
                blocks.append(block)
            n_sent += 1
    if not terms:
        return []
    valid = [t.tf for t in terms.values() if not t.stop]
    if not valid:
        return []
    max_tf = max(t.tf for t in terms.values())
    avg_tf = statistics.fmean(valid)
    std_tf = statistics.pstdev(valid) if len(valid) > 1 else 0.0
    for t in terms.values():
        pwl = len(t.left) / sum(t.left.values()) if t.left else 0.0
        pwr = len(t.right) / sum(t.right.values()) if t.right else 0.0
        rel = (0.5 + pwl * t.tf / max_tf) + (0.5 + pwr * t.tf / max_tf)
        freq = t.tf / (avg_tf + std_tf)
        spread = len(t.sentences) / max(1, n_sent)
        case = max(t.tf_upper, t.tf_proper) / (1.0 + math.log(t.tf))
        pos = math.log(math.log(3.0 + statistics.median(sorted(t.sentences))))
        t.h = (pos * rel) / (case + freq / rel + spread / rel)

    cand_tf: Counter[tuple[str, ...]] = Counter()
    surface: dict[tuple[str, ...], str] = {}
    for block in blocks:
        for i in range(len(block)):
            for size in range(1, MAX_WORDS + 1):
                window = block[i : i + size]
                if len(window) < size or any(tag != "w" for _, _, tag in window):
                    break
                keys = tuple(k for k, _, _ in window)
                if terms[keys[0]].stop or terms[keys[-1]].stop:
                    continue
                cand_tf[keys] += 1
                surface.setdefault(keys, " ".join(s for _, s, _ in window))
    scored: list[tuple[float, str]] = []
    for keys, tf in cand_tf.items():
        prod_h, sum_h = 1.0, 0.0
        for j, k in enumerate(keys):
            term = terms[k]
            if not term.stop:
                prod_h *= term.h
                sum_h += term.h
                continue
            before, after = terms[keys[j - 1]], terms[keys[j + 1]]
            prob = (before.right[k] / before.tf) * (term.right[keys[j + 1]] / after.tf)
            prod_h *= 2.0 - prob
            sum_h -= 1.0 - prob
        scored.append((prod_h / ((sum_h + 1.0) * tf), surface[keys]))
    scored.sort()
    return [(text, score) for score, text in scored[:top]]
