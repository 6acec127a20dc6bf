"""PII detection: Presidio on docledger's spaCy model, plus lender/hospital recognizers.

Fully offline: ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is set empty before Presidio (and so
tldextract) is imported, and the analyzer is built on the already loaded spaCy pipeline;
a plain ``AnalyzerEngine()`` would try to download ``en_core_web_lg``.

What comes back is meant to be redacted, so noise is filtered here rather than by every
caller:

* only the types in :data:`DEFAULT_TYPES` (or those asked for) are reported; spaCy's
  DATE_TIME, NRP and ORGANIZATION are not PII by themselves (a date is PII when it is a
  date of birth, which DATE_OF_BIRTH covers);
* findings under :data:`MIN_SCORE` are dropped (Presidio's "very weak" patterns such as
  any 9 digits for an SSN score 0.05 and only pass when a label word boosts them);
* PERSON/LOCATION spans that are digits, label words ("SSN", "DOB") or short acronyms
  are dropped - the small NER model tags them; so are one-word names with no support
  (see :func:`_weak_single_word`), and role words are trimmed ("Applicant Maria Garcia");
* overlaps are resolved: the higher score wins, then the longer span; a name or place inside
  an address, or phone-shaped digits inside an IP address, card or IBAN, give way to it;
* with ``review_floor`` (restricted documents), candidates scoring from it up to MIN_SCORE are
  kept and marked ``needs_review``.

The international recognizers (given names, addresses of many countries, phones, cards, IBANs,
IPs) are in :mod:`docledger.nlp.pii_intl`; their word lists in :mod:`docledger.nlp.gazetteers`.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""  # before presidio/tldextract are imported

from docledger.exceptions import InvalidRequest  # noqa: E402
from docledger.nlp._spacy import MODEL_NAME, get_nlp, parse  # noqa: E402
from docledger.nlp.entities import entities_from_docs  # noqa: E402
from docledger.nlp.gazetteers import is_first_name  # noqa: E402
from docledger.nlp.keyphrases import key_phrases_from_docs  # noqa: E402

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from spacy.tokens import Doc

__all__ = ["DEFAULT_TYPES", "MIN_SCORE", "REVIEW_FLOOR", "PiiFinding", "detect_pii", "analyze_text", "get_analyzer"]

DEFAULT_TYPES: tuple[str, ...] = (
    "PERSON", "US_SSN", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD", "US_ADDRESS", "ABA_ROUTING",
    "BANK_ACCOUNT", "US_ITIN", "DATE_OF_BIRTH", "MEDICAL_RECORD_NUMBER", "LOCATION", "IBAN_CODE", "IP_ADDRESS",
)  # fmt: skip
#: Further Presidio types a caller may ask for explicitly (noisier; not reported by default).
OPTIONAL_TYPES: tuple[str, ...] = ("URL", "US_PASSPORT", "US_DRIVER_LICENSE", "MEDICAL_LICENSE")
MIN_SCORE = 0.4
#: Candidates scoring from here up to MIN_SCORE are reported only when asked for
#: (``review_floor``), marked ``needs_review``: restricted documents redact them too.
REVIEW_FLOOR = 0.2
# Built-in recognizers replaced by docledger's own (same entity, better precision).
_REPLACED = ("UsItinRecognizer", "UsBankRecognizer", "AbaRoutingRecognizer")
_LABEL_WORDS = frozenset(
    "ssn itin dob mrn aba rtn ein tin id dl acct account routing phone tel fax email address patient "
    "name date birth social security number no".split()
)
_NAMED = frozenset({"PERSON", "LOCATION"})
# Words that occur in form labels and headings the small NER model tags as names
# ("Marital Status", "Sign Language", "Temporary Assistance"); never part of a name.
_FORM_WORDS = frozenset(
    "status assistance language print allowance program application information number date address "
    "signature income account form section office county interpreter benefits benefit services service "
    "total amount balance statement payment employer employment insurance policy diagnosis procedure "
    "history examination assessment plan medications allergies street avenue".split()
)
# Role words the small NER model pulls into a PERSON span ("Applicant Maria Garcia").
_ROLE_WORDS = frozenset(
    "applicant co-applicant borrower co-borrower patient client customer tenant insured member guarantor "
    "employee beneficiary claimant mr mrs ms miss dr name signed signature witness".split()
)


class PiiFinding(TypedDict):
    type: str
    text: str
    start: int
    end: int
    score: float
    recognizer: str
    needs_review: NotRequired[bool]


_lock = threading.Lock()
_analyzer: AnalyzerEngine | None = None


def get_analyzer() -> AnalyzerEngine:
    """The process-wide Presidio analyzer, sharing docledger's spaCy pipeline."""
    global _analyzer
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
                from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

                from docledger.nlp.pii_intl import LineSplitNerRecognizer, intl_recognizers
                from docledger.nlp.pii_recognizers import custom_recognizers

                engine = SpacyNlpEngine(
                    models=[{"lang_code": "en", "model_name": MODEL_NAME}],
                    ner_model_configuration=NerModelConfiguration(labels_to_ignore=["CARDINAL", "ORDINAL"]),
                )
                # reuse the loaded pipeline instead of engine.load(); Presidio types ``nlp`` as None until load()
                engine.nlp = {"en": get_nlp()}  # type: ignore[assignment]
                registry = RecognizerRegistry(supported_languages=["en"])
                registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
                for name in _REPLACED:
                    # Presidio's EntityRecognizer.name annotation cannot be resolved by mypy
                    if any(r.name == name for r in registry.recognizers):  # type: ignore[has-type]
                        registry.remove_recognizer(name)
                spacy_rec = next(r for r in registry.recognizers if r.name == "SpacyRecognizer")  # type: ignore[has-type]
                registry.remove_recognizer("SpacyRecognizer")
                registry.add_recognizer(LineSplitNerRecognizer(spacy_rec))
                for rec in custom_recognizers() + intl_recognizers():
                    registry.add_recognizer(rec)
                _analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])
    return _analyzer


def _check_types(types: list[str] | None) -> list[str]:
    if types is None:
        return list(DEFAULT_TYPES)
    known = set(DEFAULT_TYPES) | set(OPTIONAL_TYPES)
    unknown = sorted(set(types) - known)
    if unknown:
        raise InvalidRequest(
            f"Unknown PII type(s): {', '.join(unknown)}.",
            code="unknown_pii_type",
            hint=f"Use some of: {', '.join(sorted(known))}.",
        )
    return list(types)


_ACRONYM = re.compile(r"^[A-Z]{1,4}\.?$")


def _is_noise(kind: str, value: str, recognizer: str = "") -> bool:
    stripped = value.strip()
    if not any(c.isalnum() for c in stripped):
        return True
    if kind == "PHONE_NUMBER" and recognizer == "PhoneRecognizer" and sum(c.isdigit() for c in stripped) < 10:
        return True  # 9-digit routing/account numbers parse as phone numbers in some regions
    if kind == "US_SSN":
        digits = "".join(c for c in stripped if c.isdigit())
        if digits[:1] == "9" or digits[:3] in ("000", "666"):
            return True  # never issued as SSNs (9xx is the ITIN range)
    if kind in _NAMED:
        words = re.findall(r"[A-Za-z]+", stripped.lower())
        if not words or any(c.isdigit() for c in stripped) or _ACRONYM.match(stripped):
            return True
        if all(w in _LABEL_WORDS for w in words) or any(w in _FORM_WORDS for w in words):
            return True
        if "\n" in stripped or any(c in stripped for c in "•●▪■❑☐|"):
            return True  # spans across lines or bullets are layout, not a name
        if not any(w[:1].isupper() for w in stripped.split()):
            return True  # names and places are capitalised; "gross hematuria" is not one
    return False


_TITLE_WORDS = frozenset("mr mrs ms miss mx dr prof sir madam name patient".split())
_PLACE_PREPOSITIONS = frozenset("in from to near lives lived born moved resides".split())


def _weak_single_word(kind: str, value: str, doc: Doc, start: int, full_names: set[str]) -> bool:
    """A one-word PERSON/LOCATION without support: the small model's commonest false positive.

    On clinical text spaCy sm tags drug and device names ("Claritin", "Foley") as PERSON
    and capitalised terms ("Anesthesia") as GPE. One word is kept only with support: a
    title before it ("Dr. Wong"), the same word inside a full name elsewhere on the page,
    or, for places, a preposition before it ("in Seattle").
    """
    if len(value.split()) > 1:
        return False
    if kind == "PERSON" and is_first_name(value):
        return False  # a given name from the name dictionary (see pii_intl.FirstNameRecognizer)
    if value.isupper() or not value[:1].isupper():
        return True
    span = doc.char_span(start, start + len(value), alignment_mode="expand")
    prev = ""
    if span is not None and span.start > 0:
        prev = doc[span.start - 1].text.lower().rstrip(".")
    if prev in _TITLE_WORDS:
        return False
    if kind == "PERSON":
        return value not in full_names
    return prev not in _PLACE_PREPOSITIONS


def _trim_roles(value: str) -> tuple[str, int]:
    """Drop leading role words/titles from a PERSON span; return (value, chars removed)."""
    cut = 0
    while True:
        head, _, rest = value.partition(" ")
        if not rest or head.lower().strip(".:,") not in _ROLE_WORDS:
            return value, cut
        trimmed = rest.lstrip()
        cut += len(value) - len(trimmed)
        value = trimmed


def resolve_overlaps(findings: list[PiiFinding]) -> list[PiiFinding]:
    """Keep the higher score, then the longer span, among overlapping findings."""
    kept: list[PiiFinding] = []
    for f in sorted(findings, key=lambda f: (-f["score"], -(f["end"] - f["start"]), f["start"])):
        if all(f["end"] <= k["start"] or f["start"] >= k["end"] for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f["start"], f["end"]))


def _nlp_artifacts(doc: Doc) -> Any:
    engine = cast("SpacyNlpEngine", get_analyzer().nlp_engine)  # get_analyzer() always builds a SpacyNlpEngine
    return engine._doc_to_nlp_artifact(doc, "en")  # same as engine.process_text, without re-parsing


def _all_common_words(value: str) -> bool:
    """True when no word of ``value`` could be a name: all ordinary English words or initials.

    spaCy's small model tags capitalised headings and labels as PERSON ("Patient",
    "Salary Deposit", "Warehouse B."); a name has at least one word that is a given name
    or not an ordinary word.
    """
    from docledger.nlp.gazetteers import common_words, first_names

    words = re.findall(r"[^\W\d_]+", value)
    names, common = first_names(), common_words()
    return all(len(w) == 1 or (w.lower() in common and w not in names) for w in words)


_SPACY = "SpacyRecognizer"
_AFTER_TITLE = re.compile(r"\b(?:mr|mrs|ms|mx|miss|dr|prof|herr|frau|sr|sra|mme|mlle|sir|dame)\.?\s*$", re.IGNORECASE)


def _has_given_name(value: str) -> bool:
    """A given name from the dictionary, or a full name's shape: 2-4 capitalised uncommon words of 3+ letters."""
    from docledger.nlp.gazetteers import common_words

    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)?", value)
    if any(is_first_name(w) for w in words):
        return True
    common = common_words()
    return 2 <= len(words) <= 4 and all(
        len(w) >= 3 and w[0].isupper() and w[1:].islower() and w.lower() not in common for w in words
    )


_CANDIDATE_SCORE = 0.3


def _drop_contained(findings: list[PiiFinding]) -> list[PiiFinding]:
    """Drop names/places inside an address and phone-shaped digits inside an IP address or card."""
    wins = {
        "US_ADDRESS": {"PERSON", "LOCATION"},
        "IP_ADDRESS": {"PHONE_NUMBER", "US_DRIVER_LICENSE"},
        "CREDIT_CARD": {"PHONE_NUMBER", "BANK_ACCOUNT"},
        "IBAN_CODE": {"PHONE_NUMBER", "BANK_ACCOUNT"},
    }
    out = []
    for f in findings:
        inside = any(
            f["type"] in wins.get(g["type"], ())
            and g["start"] <= f["start"]
            and f["end"] <= g["end"]
            and g["score"] >= 0.4
            for g in findings
            if g is not f
        )
        if not inside:
            out.append(f)
    return out


def findings_from_docs(
    text: str,
    docs: list[tuple[int, Doc]],
    types: list[str] | None = None,
    min_score: float = MIN_SCORE,
    review_floor: float | None = None,
) -> list[PiiFinding]:
    """PII of ``text`` whose spaCy parse is ``docs`` (see :func:`detect_pii`)."""
    wanted = _check_types(types)
    floor = min_score if review_floor is None else min(review_floor, min_score)
    analyzer = get_analyzer()
    raw: list[PiiFinding] = []
    for off, doc in docs:
        full_names = {w for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 for w in e.text.split()}
        results = analyzer.analyze(text=doc.text, language="en", entities=wanted, nlp_artifacts=_nlp_artifacts(doc))
        for r in results:
            if r.entity_type not in wanted or r.score < floor:
                continue
            value = doc.text[r.start : r.end]
            lead = len(value) - len(value.lstrip())
            value = value.strip()
            meta = r.recognition_metadata or {}
            recognizer = str(meta.get("recognizer_name", "unknown"))
            score = float(r.score)
            if r.entity_type == "PERSON":
                value, cut = _trim_roles(value)
                lead += cut
            if _is_noise(r.entity_type, value, recognizer):
                continue
            if recognizer == _SPACY and r.entity_type == "PERSON" and _all_common_words(value):
                continue
            if (
                recognizer == _SPACY
                and r.entity_type == "PERSON"
                and not _has_given_name(value)
                and not _AFTER_TITLE.search(doc.text[max(0, r.start + lead - 12) : r.start + lead])
            ):
                # the small model alone tags drug, device and eponym names ("Foley", "Steri-Strips");
                # names the dictionary lacks are found by the cue recognizers instead
                if review_floor is None:
                    continue
                score = _CANDIDATE_SCORE
            if (
                recognizer == _SPACY
                and r.entity_type in _NAMED
                and _weak_single_word(r.entity_type, value, doc, r.start, full_names)
            ):
                if review_floor is None or r.entity_type != "PERSON":
                    continue
                score = _CANDIDATE_SCORE  # unsupported one-word name: a candidate for review
            raw.append(
                PiiFinding(
                    type=r.entity_type,
                    text=value,
                    start=off + r.start + lead,
                    end=off + r.start + lead + len(value),
                    score=round(score, 4),
                    recognizer=recognizer,
                )
            )
    kept = resolve_overlaps(_drop_contained(raw))
    for f in kept:
        if f["score"] < min_score:
            f["needs_review"] = True
    return kept


def detect_pii(
    text: str,
    types: list[str] | None = None,
    min_score: float = MIN_SCORE,
    *,
    review_floor: float | None = None,
    docs: list[tuple[int, Doc]] | None = None,
) -> list[PiiFinding]:
    """PII findings in ``text``: type, exact span (``text[start:end]``), score and the recognizer.

    ``types`` restricts the search (e.g. ``["US_SSN", "PERSON"]``); default :data:`DEFAULT_TYPES`.
    ``review_floor`` (e.g. :data:`REVIEW_FLOOR`) adds the low-confidence candidates scoring
    from it up to ``min_score``, each marked ``needs_review: True`` (for restricted documents,
    which redact them too). ``docs`` is an existing spaCy parse of ``text`` as
    ``[(offset, Doc)]`` (see :func:`docledger.nlp._spacy.parse`), so a caller that already
    parsed the page does not parse it again.
    """
    if not text.strip():
        return []
    return findings_from_docs(text, docs if docs is not None else parse(text), types, min_score, review_floor)


def analyze_text(
    text: str, types: list[str] | None = None, top_phrases: int = 10, *, restricted: bool = False
) -> dict[str, list[Any]]:
    """Entities, key phrases and PII of one text (one page), from a single spaCy parse.

    ``restricted`` (a restricted document): low-confidence PII candidates are included too,
    marked ``needs_review``, so that redaction errs on the side of removing too much.
    """
    if not text.strip():
        return {"entities": [], "key_phrases": [], "pii": []}
    docs = parse(text)
    floor = REVIEW_FLOOR if restricted else None
    return {
        "entities": list(entities_from_docs(docs)),
        "key_phrases": list(key_phrases_from_docs(text, docs, top_phrases)),
        "pii": list(findings_from_docs(text, docs, types, review_floor=floor)),
    }
