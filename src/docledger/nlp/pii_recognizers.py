"""Presidio recognizers for what a lender or a hospital must find and Presidio lacks.

Each recognizer is declarative (a regex, an optional validator, and the label words that
must or may precede the value) and reports its own name, so every finding says which rule
found it and why its score is what it is:

* a value that needs its label (account and record numbers, dates of birth) is reported
  only within ``window`` characters after a label word, with the label's score;
* a value that validates on its own (ABA checksum, ITIN group ranges) has a base score,
  raised to the label score when a label word precedes it.

Only the value span is reported, never the label, so redaction keeps "MRN:" readable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

__all__ = [
    "LabelledValueRecognizer",
    "ValueRule",
    "aba_checksum_ok",
    "itin_ok",
    "ssn_ok",
    "custom_recognizers",
]


def aba_checksum_ok(digits: str) -> bool:
    """ABA routing number check: 3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) = 0 mod 10.

    The first two digits must also be a Federal Reserve routing symbol (00-12, 21-32,
    61-72, 80), which rejects most 9-digit numbers that pass the checksum by chance.
    """
    d = [int(c) for c in digits if c.isdigit()]
    if len(d) != 9:
        return False
    prefix = d[0] * 10 + d[1]
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])) % 10 == 0


def itin_ok(value: str) -> bool:
    """IRS ITIN: 9XX-XX-XXXX whose middle group is 50-65, 70-88, 90-92 or 94-99."""
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9 or d[0] != "9":
        return False
    group = int(d[3:5])
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


def ssn_ok(value: str) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9 or len(set(d)) == 1:
        return False
    return d[:3] not in ("000", "666") and d[0] != "9" and d[3:5] != "00" and d[5:] != "0000"


def _digits_not_all_same(value: str) -> bool:
    d = [c for c in value if c.isdigit()]
    return len(set(d)) > 1


@dataclass(frozen=True)
class ValueRule:
    entity: str
    name: str
    value: re.Pattern[str]
    labels: re.Pattern[str]
    label_score: float
    base_score: float | None = None  # None: the value needs its label
    validate: Callable[[str], bool] | None = None
    window: int = 40  # characters between the end of the label and the value
    nearest_only: bool = False  # the label covers only the first value after it, in its sentence


class LabelledValueRecognizer(EntityRecognizer):
    """Finds ``rule.value`` matches, scored by validation and a nearby label word."""

    name: str  # set by EntityRecognizer.__init__; declared because Presidio's own annotation is unresolvable

    def __init__(self, rule: ValueRule) -> None:
        self.rule = rule
        super().__init__(supported_entities=[rule.entity], name=rule.name, supported_language="en")

    def load(self) -> None:  # nothing to load: regexes are compiled at import
        return None

    def _labelled(self, text: str, start: int) -> bool:
        before = text[max(0, start - self.rule.window - 40) : start]
        last = None
        for m in self.rule.labels.finditer(before):
            last = m
        if last is None or len(before) - last.end() > self.rule.window:
            return False
        if self.rule.nearest_only:
            gap = before[last.end() :]
            return not self.rule.value.search(gap) and not _SENTENCE_END.search(gap)
        return True

    def analyze(self, text: str, entities: list[str], nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and self.rule.entity not in entities:
            return []
        out: list[RecognizerResult] = []
        group = "v" if "v" in self.rule.value.groupindex else 0
        for m in self.rule.value.finditer(text):
            start, end = m.span(group)
            value = m.group(group)
            if self.rule.validate is not None and not self.rule.validate(value):
                continue
            if self._labelled(text, start):
                score, why = self.rule.label_score, "value after its label"
            elif self.rule.base_score is not None:
                score, why = self.rule.base_score, "valid value, no label nearby"
            else:
                continue
            explanation = AnalysisExplanation(
                recognizer=self.name,
                original_score=score,
                pattern_name=self.rule.name,
                textual_explanation=why,
            )
            out.append(
                RecognizerResult(
                    entity_type=self.rule.entity,
                    start=start,
                    end=end,
                    score=score,
                    analysis_explanation=explanation,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        # our scores already account for the label: Presidio must not boost them again
                        RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
                    },
                )
            )
        return out


_I = re.IGNORECASE
_SENTENCE_END = re.compile(r"[.;!?]\s")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}[/\-.]\d{1,2}[/\-.](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}})"
)
_SUFFIX_WORDS = (
    "street st avenue ave road rd boulevard blvd lane ln drive dr court ct place pl way terrace ter "
    "circle cir parkway pkwy highway hwy square sq trail trl loop plaza plz alley aly crescent pike run"
).split()
# Capitalised or upper-case only: "4-0 Vicryl loop" in an operative note is not an address.
_STREET_SUFFIX = "(?:" + "|".join(f"{w.capitalize()}|{w.upper()}" for w in _SUFFIX_WORDS) + ")"
_CITY = r"(?:[A-Z][A-Za-z'.-]+(?:[ \t]+[A-Z][A-Za-z'.-]+){0,2})"
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|"
    "OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
# number + street name + suffix [+ direction] [+ unit] [+ city, ST ZIP]. Street words must
# be Capitalised (or ordinals) so "5 mg daily" and ordinary prose do not match.
_ADDRESS = re.compile(
    r"(?P<v>(?<![\w-])\d{1,6}[A-Z]?\s+"
    r"(?:(?:[NSEW]|North|South|East|West)\.?\s+)?"
    r"(?:(?:[A-Z][a-z]+|[A-Z]{2,}|\d{1,3}(?:st|nd|rd|th))\s+){1,4}"
    rf"{_STREET_SUFFIX}\b\.?"
    r"(?:\s+(?:[NSEW]|NE|NW|SE|SW)\b\.?)?"
    r"(?:,?\s+(?i:apt|apartment|suite|ste|unit|fl|floor|rm|room|#)\.?\s*#?\s*[A-Za-z0-9\-]{1,6})?"
    rf"(?:,?\s+{_CITY},\s+(?:{_STATES})\.?(?:\s+\d{{5}}(?:-\d{{4}})?)?)?)"
)
# number + capitalised words + ", City, ST 12345": the state and ZIP make the street suffix
# unnecessary ("28777 Amos Lock, Markfurt, HI 71418").
_ADDRESS_WITH_ZIP = re.compile(
    r"(?P<v>(?<![\w-])\d{1,6}[A-Z]?\s+(?:[A-Z][A-Za-z'.-]*\s+){0,4}[A-Z][A-Za-z'.-]*\.?"
    r"(?:,?\s+(?i:apt|apartment|suite|ste|unit|#)\.?\s*#?\s*[A-Za-z0-9\-]{1,6})?"
    rf",?\s+{_CITY},?\s+(?:{_STATES})\.?\s+\d{{5}}(?:-\d{{4}})?)(?!\d)"
)
_PO_BOX = re.compile(
    rf"(?P<v>\b(?i:p\.?\s?o\.?\s+box)\s+\d{{1,6}}(?:,?\s+{_CITY},\s+(?:{_STATES})"
    r"(?:\s+\d{5}(?:-\d{4})?)?)?)"
)


def _rules() -> list[ValueRule]:
    return [
        ValueRule(
            entity="ABA_ROUTING",
            name="AbaRoutingChecksumRecognizer",
            value=re.compile(r"(?<![\d-])(?P<v>\d{9}|\d{4}-\d{4}-\d)(?![\d-])"),
            labels=re.compile(r"\b(?:routing|aba|rtn|transit)\b", _I),
            label_score=0.95,
            base_score=0.3,  # below the default threshold: about 1 in 30 random numbers passes
            validate=aba_checksum_ok,
            window=30,
        ),
        ValueRule(
            entity="BANK_ACCOUNT",
            name="LabelledBankAccountRecognizer",
            value=re.compile(r"(?<![\w-])(?P<v>\d{4,17}|\d{2,6}(?:[- ]\d{2,8}){1,3})(?![\w-])"),
            labels=re.compile(
                r"\b(?:(?:bank|checking|savings|deposit|loan)\s+)?(?:account|acct|a/c)\b\.?"
                r"(?:\s*(?:no|number|num|#)\.?)?\s*[:#]?",
                _I,
            ),
            label_score=0.9,
            validate=_digits_not_all_same,
            window=25,
        ),
        ValueRule(
            entity="US_ITIN",
            name="UsItinRecognizer",
            value=re.compile(r"(?<![\d-])(?P<v>9\d{2}-\d{2}-\d{4}|9\d{2} \d{2} \d{4}|9\d{8})(?![\d-])"),
            labels=re.compile(r"\b(?:itin|taxpayer\s+identification|tax\s+id|tin)\b", _I),
            label_score=0.95,
            base_score=None,
            validate=itin_ok,
            window=40,
        ),
        ValueRule(
            entity="US_ITIN",
            name="UsItinFormattedRecognizer",  # dashed 9XX-7X-XXXX is an ITIN even without a label
            value=re.compile(r"(?<![\d-])(?P<v>9\d{2}-\d{2}-\d{4})(?![\d-])"),
            labels=re.compile(r"\b(?:itin|taxpayer\s+identification|tax\s+id|tin)\b", _I),
            label_score=0.95,
            base_score=0.7,
            validate=itin_ok,
            window=40,
        ),
        ValueRule(
            entity="DATE_OF_BIRTH",
            name="DateOfBirthRecognizer",
            value=re.compile(rf"(?P<v>\b{_DATE})(?!\d)", _I),
            labels=re.compile(r"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|birthday)", _I),
            label_score=0.95,
            window=25,
            nearest_only=True,
        ),
        ValueRule(
            entity="MEDICAL_RECORD_NUMBER",
            name="MedicalRecordNumberRecognizer",
            value=re.compile(r"(?<![\w-])(?P<v>[A-Z]{0,4}-?\d[\d-]{3,14}\d|\d{4,16})(?![\w-])"),
            labels=re.compile(
                r"\b(?:mrn|m\.r\.n\.|medical\s+record(?:\s+(?:no|number|num|#))?|med\.?\s+rec\.?(?:\s+no\.?)?|"
                r"chart\s*(?:no|number|#)|patient\s+id)(?![A-Za-z])\.?\s*[:#]?",
                _I,
            ),
            label_score=0.95,
            window=20,
        ),
        ValueRule(
            entity="US_SSN",
            name="LabelledSsnRecognizer",  # "SSN:483715490" is one token: Presidio context misses it
            value=re.compile(r"(?<![\d-])(?P<v>\d{3}([- ]?)\d{2}\2\d{4})(?![\d-])"),
            labels=re.compile(
                r"\b(?:ssn|ss\s*#|soc(?:ial)?\.?\s*sec(?:urity)?\.?(?:\s*(?:no|number|num|#))?)\.?\s*[:#]?",
                _I,
            ),
            label_score=0.95,
            validate=ssn_ok,
            window=5,
            nearest_only=True,
        ),
        ValueRule(
            entity="PERSON",
            name="LabelledNameRecognizer",  # form fields: "Buyer: Alejandro Rosalez" (NER misses many)
            value=re.compile(r"(?P<v>[A-Z][A-Za-z'.-]+(?:[ \t]+[A-Z][A-Za-z'.-]*){1,3})(?=[ \t]*(?:$|[\n,;(]))", re.M),
            labels=re.compile(
                r"\b(?:(?:full\s+|patient(?:'s)?\s+|borrower(?:'s)?\s+|applicant(?:'s)?\s+)?name|borrower|co-borrower|"
                r"applicant|co-applicant|buyer|seller|home\s*owner|homeowner|patient|insured|policyholder|"
                r"account\s+holder|employee|guarantor|beneficiary|tenant|landlord|member)[ \t]*:",
                _I,
            ),
            label_score=0.85,
            window=3,
            nearest_only=True,
        ),
        ValueRule(
            entity="PHONE_NUMBER",
            name="LabelledUsPhoneRecognizer",  # NANP shapes libphonenumber rejects (unassigned area codes)
            value=re.compile(r"(?<![\w-])(?P<v>(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4})(?![\w-])"),
            labels=re.compile(r"\b(?:phone|tel|telephone|call|cell|mobile|fax|contact|reach(?:ed)?)\b", _I),
            label_score=0.75,
            window=30,
        ),
        ValueRule(
            entity="US_ADDRESS",
            name="UsStreetAddressRecognizer",
            value=_ADDRESS,
            labels=re.compile(r"\b(?:address|addr|residing at|lives at|resides at|property)\b", _I),
            label_score=0.95,
            base_score=0.88,
            window=30,
        ),
        ValueRule(
            entity="US_ADDRESS",
            name="UsCityStateZipAddressRecognizer",
            value=_ADDRESS_WITH_ZIP,
            labels=re.compile(r"\b(?:address|addr|residing at|lives at|resides at|property)\b", _I),
            label_score=0.95,
            base_score=0.85,
            window=30,
        ),
        ValueRule(
            entity="US_ADDRESS",
            name="UsPoBoxRecognizer",
            value=_PO_BOX,
            labels=re.compile(r"\b(?:address|addr|mail)\b", _I),
            label_score=0.9,
            base_score=0.75,
        ),
    ]


def custom_recognizers() -> list[EntityRecognizer]:
    """The recognizers docledger adds to Presidio's defaults."""
    return [LabelledValueRecognizer(r) for r in _rules()]
