"""Rule-based sentence splitting with offsets into the original text.

Why rules and not spaCy's parser: splitting runs on every page of every document and
its output is the unit of provenance (sentence matching, co-occurrence graph), so it must
be fast, deterministic across model versions, and robust on clinical notes whose
structure (section headings, numbered lists, dosing abbreviations) the statistical
parser handles poorly.

Decisions (also in docs/decisions.md by the integrator):

* A section heading (``HISTORY OF PRESENT ILLNESS:``, or an ALL-CAPS line on its own) is
  never glued to the previous sentence. It is attached to the sentence that follows it,
  so "Neck: Supple." and "ASSESSMENT: Allergic rhinitis." stay meaningful units. It is
  its own unit when it is followed by a list item, another heading, or nothing.
* Each list item (``1.``, ``2)``, ``-``, ``*``, ``•``, ``a)``) starts a new unit; an item
  holding several sentences is split further.
* Abbreviations that never end a sentence (titles, ``e.g.``, ``vs.``, ``No. 5``) do not
  split; dosing abbreviations (``b.i.d.``, ``mg.``) split only when a capitalised word or
  number follows, as any other sentence end.
* MTSamples-style text, where the scrape turned line breaks into commas
  (``...rhinitis.,PLAN:,1.  She will...``), is handled like line breaks.

Every :class:`Sentence` satisfies ``text == original[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences"]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One unit of text: ``text == original[start:end]`` (outer whitespace/commas trimmed)."""

    text: str
    start: int
    end: int
    section: str | None = None  # the heading (without colon) this sentence falls under

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "start": self.start, "end": self.end, "section": self.section}


# Abbreviations after which a period never ends a sentence (lower case, inner dots kept,
# final dot removed).
_NEVER_END = frozenset(
    {
        "dr", "mr", "mrs", "ms", "mx", "prof", "sr", "st", "mt", "ft", "rev", "hon", "gen", "sgt", "capt",
        "vs", "v", "e.g", "eg", "i.e", "ie", "cf", "approx", "appt", "fig", "figs", "ref", "al",
        "dept", "est", "u.s", "u.k", "a.k.a", "ca", "resp", "incl", "pt", "pts", "dx", "hx", "rx", "tx",
    }
)  # fmt: skip
# Abbreviations that do not end a sentence when a number follows ("No. 5", "Ref. 12").
_BEFORE_NUMBER = frozenset({"no", "nos", "nr", "ref", "vol", "p", "pp", "ch", "sec", "art", "tel", "ph", "acct"})

# Words that almost always start a new sentence after "hepatitis C." / "vitamin D.".
_SENTENCE_STARTERS = frozenset(
    {"the", "he", "she", "it", "this", "there", "they", "we", "i", "his", "her", "patient", "then", "no", "a"}
)

_WS = " \t\r\n"
_TRIM = _WS + ",;"

# An ALL-CAPS heading followed by a colon: "HISTORY OF PRESENT ILLNESS:", "HEENT:".
_CAPS_WORD = r"[A-Z][A-Z0-9&/'()\-]*"
_HEADING_COLON = re.compile(rf"(?P<h>{_CAPS_WORD}(?:(?:[ \t]+|,[ \t]+)(?:{_CAPS_WORD}|[0-9]+))*)[ \t]*:(?![0-9/])")
# Where a heading may start: start of text / line, after a sentence end or a colon
# (spaces and MTSamples' stray commas allowed), or right after a bare comma (",HEENT:").
_HEADING_START = re.compile(r"(?:\n|[.!?;:][\"')\]]*[ \t,]*|,)[ \t]*$")
# A line that is only an ALL-CAPS heading without colon ("ASSESSMENT AND PLAN").
_CAPS_LINE = re.compile(rf"^[ \t]*({_CAPS_WORD}(?:[ \t]+(?:{_CAPS_WORD}|[0-9]+)){{0,7}})[ \t]*$", re.M)
# List markers at the start of a line.
_LINE_ITEM = re.compile(
    r"^[ \t]*(?:[-*•◦‣▪–]|\(?[0-9]{1,3}[.)]|\(?[a-z][.)]|\(?[A-Z]\)|\(?[ivx]{1,4}\))[ \t]+(?=\S)", re.M
)
# Inline numbered items: "...again.,2.  Samples", "DIAGNOSES: 1. Hypertension. 2. Diabetes."
# After a colon only "1." opens a list, so vitals ("P:  90.  RR:  20.") are not items.
_INLINE_ITEM = re.compile(
    r"(?:(?<=[.!?;])[ \t,]+|(?<=[^0-9\s],))(?P<m>\(?[0-9]{1,2}[.)])[ \t]+(?=[A-Z(\"'])"
    r"|(?<=:)[ \t,]*(?P<m1>\(?1[.)])[ \t]+(?=[A-Z(\"'])"
)
# Sentence end: terminal punctuation, closing quotes/brackets, then whitespace or a
# scrape comma, then something that can start a sentence.
_TERMINAL = re.compile(r"[.!?]+[\"')\]]*(?=(?:[ \t\r\n]+|,[ \t]*)[\"'(\[]?[A-Z0-9•*\-])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_LINE_AFTER_COLON = re.compile(r":[ \t\r]*\n")
_MAX_HEADING_WORDS = 8


def _is_heading_text(words: str) -> bool:
    letters = [c for c in words if c.isalpha()]
    return len(letters) >= 2 and len(words.split()) <= _MAX_HEADING_WORDS and len(words) <= 60


def _is_caps_unit(piece: str) -> bool:
    """A unit that is only ALL-CAPS words ("CONCLUSIONS" between two MTSamples commas)."""
    m = _CAPS_LINE.fullmatch(piece)
    return bool(m) and _is_heading_text(piece)


def _headings(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every section heading."""
    found: list[tuple[int, int, str]] = []
    for m in _HEADING_COLON.finditer(text):
        name = m.group("h")
        if _is_heading_text(name):
            found.append((m.start(), m.end(), name))
    covered = {i for s, e, _ in found for i in range(s, e)}
    for m in _CAPS_LINE.finditer(text):
        name = m.group(1)
        if _is_heading_text(name) and m.start(1) not in covered:
            found.append((m.start(1), m.end(1), name))
    return sorted(found)


def _heading_allowed_at(text: str, pos: int) -> bool:
    tail = text[max(0, pos - 12) : pos]
    if pos - 12 <= 0 and not tail.strip(" \t,"):
        return True
    return bool(_HEADING_START.search(tail))


def _list_items(text: str) -> list[tuple[int, int]]:
    """(start, end) of every list marker ("1.", "-", "a)")."""
    items = [(m.start(), m.end()) for m in _LINE_ITEM.finditer(text)]
    for m in _INLINE_ITEM.finditer(text):
        g = "m" if m.group("m") else "m1"
        items.append((m.start(g), m.end(g)))
    out: list[tuple[int, int]] = []
    for s, e in sorted(items):
        s += len(text[s:e]) - len(text[s:e].lstrip(_WS))
        e -= len(text[s:e]) - len(text[s:e].rstrip(_WS))
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


def _ends_sentence(text: str, dot: int) -> bool:
    """Whether the terminal run starting at ``dot`` ends a sentence."""
    if text[dot] != ".":
        return True
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot + 1)
    if not m:
        return True
    word = m.group(1).lower().rstrip(".")
    if word in _NEVER_END:
        return False
    nxt = text[dot + 1 : dot + 16].lstrip(_WS + ",\"'([")[:1]
    if word in _BEFORE_NUMBER and (nxt.isdigit() or nxt == "#"):
        return False
    if len(word) == 1 and m.group(1).isupper():
        # An initial ("John J. Smith") unless it follows a lower-case word ("hepatitis C.").
        prev = text[max(0, m.start() - 30) : m.start()].rstrip().split()
        following = text[dot + 1 : dot + 30].split()[:1]
        if following and following[0].lower().strip(",") in _SENTENCE_STARTERS:
            return True
        return bool(prev) and prev[-1][:1].islower()
    return True


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, headings and list items with exact offsets."""
    if not text or not text.strip():
        return []
    heads = [h for h in _headings(text) if _heading_allowed_at(text, h[0])]
    items = _list_items(text)
    protected = {e - 1 for _, e in items}  # the dot of "1." is not a sentence end

    cuts: set[int] = {0, len(text)}
    for m in _BLANK_LINE.finditer(text):
        cuts.add(m.start())
    for s, e, _ in heads:
        cuts.update((s, e))
    for s, _ in items:
        cuts.add(s)
    for m in _TERMINAL.finditer(text):
        dot = m.start()
        if any(p in protected for p in range(dot, m.end())) or not _ends_sentence(text, dot):
            continue
        cuts.add(m.end())
    # A single newline ends a unit only after ':' or a heading line; wrapped lines join.
    for m in _LINE_AFTER_COLON.finditer(text):
        cuts.add(m.end() - 1)

    head_at = {s: (e, name) for s, e, name in heads}
    pieces: list[tuple[int, int, bool]] = []  # (start, end, is_heading)
    bounds = sorted(cuts)
    for a, b in zip(bounds, bounds[1:], strict=False):
        seg = text[a:b]
        s = a + len(seg) - len(seg.lstrip(_TRIM))
        e = b - (len(seg) - len(seg.rstrip(_TRIM)))
        if e <= s or not any(c.isalnum() for c in text[s:e]):
            continue
        is_head = (s in head_at and head_at[s][0] >= e) or _is_caps_unit(text[s:e])
        if is_head and s not in head_at:
            head_at[s] = (e, text[s:e])
        pieces.append((s, e, is_head))
    item_starts = {s for s, _ in items}

    out: list[Sentence] = []
    section: str | None = None
    i = 0
    while i < len(pieces):
        s, e, is_head = pieces[i]
        if is_head:
            section = head_at[s][1]
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if nxt is not None and not nxt[2] and nxt[0] not in item_starts:
                out.append(Sentence(text[s : nxt[1]], s, nxt[1], section))
                i += 2
                continue
        out.append(Sentence(text[s:e], s, e, section))
        i += 1
    return out
