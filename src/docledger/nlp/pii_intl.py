# ruff: noqa: E501
"""Recognizers for the PII of real, international short texts (chats, letters, résumés, forms).

Presidio's defaults and spaCy's small model miss what people write outside US forms:
lone first names ("Call me tonight, Tobias!"), names in greetings and signatures, street
addresses of other countries (number after the street: "Mannerheimintie 14 B 22"),
multi-line addresses, US military addresses (APO/FPO/DPO), street corners, phone numbers
in national or international form, card numbers whose checksum fails, lower-case IBANs.

Every recognizer here reports its name and why it scored what it did. Scores follow one
scale: >= 0.4 is reported (``pii.MIN_SCORE``); 0.2-0.4 is a *candidate* that only
restricted documents redact, listed with ``needs_review``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from docledger.nlp.gazetteers import common_words, first_names, is_first_name

__all__ = ["intl_recognizers", "luhn_ok", "iban_ok"]

_UP = r"[A-ZÀ-ÖØ-ÞĀ-ſ]"  # an upper-case letter, Latin with diacritics (Ł, Ø, Š, É ...)
_LOW = r"[a-zß-öø-ÿĀ-ſ'’]"
_CAPWORD = rf"{_UP}{_LOW}+(?:-{_UP}{_LOW}+)?"
_NAME_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|das|dos|du|la|le|bin|ibn|al|el|ter|ten|af|zu)"


def _result(rec: EntityRecognizer, entity: str, start: int, end: int, score: float, why: str) -> RecognizerResult:
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=score,
        analysis_explanation=AnalysisExplanation(
            recognizer=rec.name,  # type: ignore[has-type]
            original_score=score,
            textual_explanation=why,
        ),
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: rec.name,  # type: ignore[has-type]
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: rec.id,
            RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True,
        },
    )


class _Base(EntityRecognizer):
    ENTITY = ""
    NAME = ""

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name=self.NAME, supported_language="en")

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        return [_result(self, self.ENTITY, s, e, sc, why) for s, e, sc, why in self.find(text, nlp_artifacts)]

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        raise NotImplementedError


# --- names -------------------------------------------------------------------------------
# Words after which a capitalised word is someone's name ("Dear Anna", "thanks Karol", "my name is Ilkka").
_CUE_BEFORE = re.compile(
    r"(?:\b(?:my\s+name\s+is|name\s+is|i\s*'?\s*a?m|it\s*'?\s*s|this\s+is|dear|hi|hey|hello|hiya|thanks|thank\s+you|"
    r"cheers|morning|evening|sorry|congrats|congratulations|ask|tell|told|call|met|meet|and|love|miss|"
    r"from|to|cc|attn|attention|signed|contact|mr|mrs|ms|miss|mx|dr|prof|sir|madam|herr|frau|sr|sra|mme|mlle|"
    r"signor|signora)\.?,?|(?:name|from|to|cc|signed|attendees|contact|by)[ \t]*:)[ \t]*$",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"(?im)^[ \t]*(?:kind\s+regards|best\s+regards|warm\s+regards|regards|best\s+wishes|best|cheers|sincerely|"
    r"yours\s+sincerely|yours\s+truly|yours|thanks|thank\s+you|many\s+thanks|love|signed|sent\s+by|"
    r"mit\s+freundlichen\s+grüßen|cordialement|saludos|cordiali\s+saluti|met\s+vriendelijke\s+groet)[,.!:]?[ \t]*\n"
    rf"[ \t]*(?P<v>{_CAPWORD}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_CAPWORD}){{0,3}})[ \t]*$"
)
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Herr|Frau|Sr|Sra|Mme|Mlle|Monsieur|Madame|Signor|Signora|Sir|Dame)\.?[ \t]+"
    rf"(?P<v>{_CAPWORD}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_CAPWORD}){{0,2}})"
)
_WORD = re.compile(rf"(?<![\w'’-]){_UP}{_LOW}+(?:-{_UP}{_LOW}+)?(?![\w-])")


def _is_name_word(w: str) -> bool:
    return w in first_names() or (w.lower() not in common_words() and w.isalpha())


class FirstNameRecognizer(_Base):
    """Capitalised given names from the name dictionary, alone or followed by surnames.

    A name that is also a common English word ("Grace", "Will", "Mark") needs a cue: a
    greeting or intro before it, a comma or "!" after it (a vocative), or spaCy's NER. A
    name at the start of a sentence needs the same (capitalisation says nothing there).
    """

    ENTITY = "PERSON"
    NAME = "FirstNameGazetteerRecognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        names, common = first_names(), common_words()
        ner_person: list[tuple[int, int]] = []
        eponym: set[int] = set()
        if nlp_artifacts is not None and getattr(nlp_artifacts, "entities", None):
            ner_person = [(e.start_char, e.end_char) for e in nlp_artifacts.entities if e.label_ == "PERSON"]
        if nlp_artifacts is not None and getattr(nlp_artifacts, "tokens", None) is not None:
            # "Mayo scissors", "Blake drain": a name used as a modifier of a lower-case common noun
            # (read from part-of-speech tags: the dependency parser is not run)
            toks = list(nlp_artifacts.tokens)
            eponym = {
                t.idx
                for t, nxt in zip(toks, toks[1:], strict=False)
                if nxt.tag_ in ("NN", "NNS") and nxt.text.islower()
            }
        for m in _WORD.finditer(text):
            w = m.group()
            if not is_first_name(w):
                continue
            start, end = m.span()
            if re.match(r"[ \t]*\d", text[end : end + 3]) or re.search(r"\d[ \t]*$", text[max(0, start - 3) : start]):
                continue  # "March 3", "3 June": a date, not a name
            before = text[max(0, start - 40) : start]
            after = text[end : end + 3]
            line_start = not before.strip(" \t") or before.rstrip(" \t").endswith(("\n", ".", "!", "?", '"', "(", "-"))
            ambiguous = w.lower() in common
            cue = bool(_CUE_BEFORE.search(before)) or bool(re.match(r"[ \t]*[,!?][ \t]*(?:$|\n|[a-z])", after))
            if re.match(
                r"[ \t]*(?:said|says|is|was|will|and|has|had|told|asked|wrote|called|'s|’s)\b", text[end : end + 9]
            ):
                cue = True
            ner = any(s <= start and end <= e for s, e in ner_person)
            if start in eponym or re.search(r"\b(?:the|a|an)\s+(?:[A-Z]{2,}\s+)?$", before, re.IGNORECASE):
                yield start, end, 0.3, "given name used as a modifier or after an article (candidate)"
                continue
            # surnames after the given name make the name (and the evidence) stronger
            tail = re.match(rf"(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_CAPWORD}){{1,3}}", text[end:])
            span_end = end
            if tail:
                words = tail.group().split()
                kept = 0
                for i, tw in enumerate(words):
                    if re.fullmatch(_NAME_PARTICLE, tw) and i + 1 < len(words):
                        continue
                    if tw.lower() in common and tw not in names:
                        break
                    kept = i + 1
                if kept:
                    span_end = end + len(" ".join(words[:kept])) + (len(tail.group()) - len(tail.group().lstrip()))
            full = span_end > end
            if not ambiguous and not line_start:
                yield start, span_end, 0.7 if full else 0.6, "given name from the name dictionary"
            elif cue or ner:
                yield start, span_end, 0.65, "given name with a greeting/vocative cue or NER support"
            elif full:
                yield start, span_end, 0.55, "given name followed by a surname"
            else:
                yield start, span_end, 0.3, "given name that is also a common word or starts a sentence (candidate)"


class CuedNameRecognizer(_Base):
    """Names the dictionary lacks, where the text says a name follows: titles, closings, intros."""

    ENTITY = "PERSON"
    NAME = "CuedNameRecognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        common = common_words()
        for m in _TITLE.finditer(text):
            if len(m.group("v")) > 2 and not re.search(r"['’]s$", m.group("v")):
                yield m.start("v"), m.end("v"), 0.75, "capitalised word after a title"
        for m in _CLOSING.finditer(text):
            words = m.group("v").split()
            if any(w.lower() not in common or w in first_names() for w in words):
                yield m.start("v"), m.end("v"), 0.7, "name line under a letter's closing"
        for m in re.finditer(
            rf"\b(?:my\s+name\s+is|i\s*'?\s*m|i\s+am|it\s*'?\s*s|this\s+is)[ \t]+(?P<v>{_CAPWORD}(?:[ \t]+{_CAPWORD})?)",
            text,
            re.IGNORECASE,
        ):
            v = m.group("v")
            if v[0].isupper() and "'" not in v and len(v) > 2 and all(_is_name_word(w) for w in v.split()):
                yield m.start("v"), m.end("v"), 0.6, "capitalised word after 'my name is' / 'I'm'"
        for m in re.finditer(
            rf"(?im)\b(?:dear|hi|hey|hello|thanks|thank\s+you|sorry|morning|congrats)[ \t]+(?P<v>{_CAPWORD})(?=[ \t]*[,!:?\n])",
            text,
        ):
            v = m.group("v")
            if v[0].isupper() and _is_name_word(v):
                yield m.start("v"), m.end("v"), 0.6, "capitalised word after a greeting"
        for m in re.finditer(rf",[ \t]+(?P<v>{_CAPWORD})[ \t]*[!?](?:[ \t]|$)", text):
            v = m.group("v")
            if _is_name_word(v) and v.lower() not in common:
                yield m.start("v"), m.end("v"), 0.5, "vocative: ', Name!'"


# --- addresses ---------------------------------------------------------------------------
_STREET_SUFFIX_EN = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|Terrace|Ter|Circle|Cir|"
    "Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Loop|Plaza|Alley|Crescent|Cres|Close|Mews|Grove|Gardens|Gdns|Row|"
    "Walk|Walks|Hill|Hills|Park|Rise|Green|Vale|View|Wharf|Quay|Parade|Esplanade|Heights|Ridge|Crossing|Xing|Pike|"
    "Run|Path|Point|Points|Port|Ports|Harbor|Harbour|Junction|Jct|Landing|Manor|Meadow|Meadows|Mill|Mills|Oval|"
    "Pass|Passage|Rest|Route|Spring|Springs|Station|Stream|Summit|Throughway|Trace|Track|Turnpike|Underpass|Union|"
    "Valley|Via|Villa|Village|Ville|Vista|Wall|Wells|Well|Wood|Woods|Extension|Ext|Expressway|Freeway|Gateway|"
    "Glen|Glens|Bypass|Branch|Bridge|Brook|Brooks|Burg|Camp|Canyon|Cape|Causeway|Center|Centre|Cliff|Cliffs|Club|"
    "Common|Commons|Corner|Corners|Course|Courts|Cove|Coves|Creek|Crest|Curve|Dale|Dam|Divide|Estate|Estates|"
    "Falls|Ferry|Field|Fields|Flat|Flats|Ford|Forest|Forge|Fork|Forks|Fort|Garden|Gateway|Harbors|Haven|Hollow|"
    "Inlet|Island|Islands|Isle|Key|Keys|Knoll|Knolls|Lake|Lakes|Light|Lights|Loaf|Lock|Locks|Lodge|Mall|Mission|"
    "Motorway|Mount|Mountain|Neck|Orchard|Overpass|Pine|Pines|Plains|Prairie|Radial|Ramp|Ranch|Rapid|Rapids|"
    "Shoal|Shoals|Shore|Shores|Skyway|Spur|Squares|Stravenue|Tunnel|Viaduct|Views|Drives|Roads|Streets|Lanes|"
    "Ways|Ports|Wade|Parks|Gardens|Greens"
)
# compound endings: Sieringstraße, Mannerheimintie, Vaarnakatu, Gengatan, Nannasvej, Hannahring ...
_COMPOUND = (
    r"(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|steig|pfad|chaussee|markt|hof|berg|graben|"
    r"tie|katu|kuja|polku|väylä|raitti|gatan|vägen|gränd|stigen|gata|väg|backe|torget|gade|vej|allé|stræde|plads|"
    r"veien|vegen|gaten|vei|toppen|straat|laan|gracht|plein|kade|dijk|singel|steeg|weg|utca|út|körút|tér|sor|"
    r"ulice|třída|náměstí|nábřeží|ulica|aleja|cesta|ulitsa)"
)
_PREFIX = (
    r"(?:rue|avenue|av\.|ave\.|boulevard|bd|bld|chemin|impasse|allée|place|quai|route|cours|passage|square|"
    r"viale|piazza|piazzale|corso|largo|vicolo|strada|contrada|borgo|rotonda|calle|avenida|avda\.?|paseo|"
    r"plaza|camino|carrera|callejón|ronda|rambla|travesía|glorieta|cuesta|pasaje|pasadizo|urbanización|"
    r"rua|travessa|praça|alameda|estrada|jardim|largo|rodovia|vila|área|recanto|residencial|quadra|setor|"
    r"ul\.|ulica|al\.|aleja|os\.|pl\.|plac|str\.|strada|bulevardul|calea|șoseaua|soseaua|aleea|drumul|intrarea|"
    r"splaiul|piața|piata|bd\.|blvd\.)"
)
_UNIT = (
    r"(?:[ \t]*,?[ \t]*(?:apt\.?|apartment|suite|ste\.?|unit|flat|fl\.?|floor|piso|puerta|appartamento|app\.?|"
    r"interno|int\.?|scala|lgh|bus|bte|étage|esc\.?|bloco|bl\.?|sc\.?|ap\.?|et\.?|nr\.?|no\.?|#)[ \t]*[\w/-]{1,6}"
    r"(?:[ \t]+[A-Za-z0-9]{1,3})?|[ \t]+[A-Z](?:[ \t]+\d{1,4})?(?![\w])|[ \t]+\d{1,4}(?=[ \t]*[,\n]))"
)
_NUM = r"\d{1,5}(?:[ \t]?[A-Za-z](?![\w]))?(?:[/-]\d{1,5}[A-Za-z]?)?"
_NAMEWORDS = rf"(?:(?:{_CAPWORD}|\d{{1,3}}(?:st|nd|rd|th)|(?:de|del|la|las|los|da|das|do|dos|di|du|des|von|van|der|d'|l')|[A-Z]\.)[ \t]+)"
_POSTCODE_LINE = (
    r"(?:[A-Z]{1,2}-?)?\d{2,5}(?:[ \t-]?\d{2,4})?[ \t]+" + rf"{_UP}[\w'’.-]+(?:[ \t]+[\w'’().-]+){{0,3}}"
    r"|"
    + rf"{_UP}[\w'’.-]+(?:[ \t]+{_UP}[\w'’.-]+){{0,3}},?[ \t]+(?:[A-Z]{{2,3}},?[ \t]+)?(?:\d{{4,5}}(?:-\d{{3,4}})?|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)"
    r"|" + r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"  # UK postcode
    r"|" + rf"\d{{5}}(?:-\d{{3}})?[ \t]+{_UP}[\w'’ .-]+(?:[ \t]*/[ \t]*[A-Z]{{2}})?"
    r"|" + rf"{_UP}[\w'’.-]+(?:[ \t]+{_UP}[\w'’.-]+){{0,3}}(?:[ \t]+\([A-Z]{{2}}\))?"
)
_STREET_FORMS = [
    # 123 Main Street / 6/170 Reynolds Wade
    rf"(?<![\w/-]){_NUM}[ \t]+(?:(?:[NSEW]|North|South|East|West)\.?[ \t]+)?{_NAMEWORDS}{{1,3}}(?:{_STREET_SUFFIX_EN})\b\.?"
    r"(?:[ \t]+(?:[NSEW]|NE|NW|SE|SW)\b\.?)?",
    # Mannerheimintie 14 B 22 / Sieringstraße 7170 / Nannasvej 23
    rf"\b{_UP}[\w'’-]*{_COMPOUND}(?:[ \t]+{_CAPWORD}){{0,1}}[ \t]+{_NUM}",
    rf"\b{_UP}[\w'’-]*[ \t]+(?:{_COMPOUND[3:-1]})\b[ \t]+{_NUM}",
    # Via Roma 12 / Calle de Florinda Pino 81 / rue Leroy / 46, avenue Leroy / ul. Ludowa 17
    rf"(?:\b\d{{1,4}}(?:[ \t]?(?:bis|ter))?,?[ \t]+)?(?:(?i:\b{_PREFIX})|\bV[ií]a)[ \t]+(?:{_NAMEWORDS}|{_CAPWORD}){{0,4}}"
    rf"(?:{_CAPWORD})(?:,?[ \t]+(?:n[º°o.]?\s*)?{_NUM})?",
]
_STREET = re.compile("(?:" + "|".join(_STREET_FORMS[:3]) + rf"){_UNIT}{{0,2}}")
# The prefixed form is costly to try at every position: find its street-type words first.
_STREET_PREFIXED = re.compile(_STREET_FORMS[3] + rf"{_UNIT}{{0,2}}")
_PREFIX_WORD = re.compile(rf"(?i:\b{_PREFIX})(?=[ \t])|\bV[ií]a(?=[ \t])")
_NUMBER_BEFORE = re.compile(r"\b\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+$")
_LOCALITY = re.compile(rf"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*)(?:{_POSTCODE_LINE})")
_COUNTRY = re.compile(
    rf"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*)(?:{_UP}[a-zà-ÿ]+(?:[ \t]+{_UP}[a-zà-ÿ]+){{0,2}})[ \t]*(?=\n|$|[.,;])"
)
_MILITARY = re.compile(
    r"(?:\b(?:PSC|CMR|Unit)[ \t]+\d{3,5},?[ \t]+Box[ \t]+\d{1,5}|\b(?:USS|USNS|USCGC|USNV|USNA)[ \t]+[A-Z][\w.-]+(?:[ \t]+[A-Z][\w.-]+){0,2})"
    r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)(?:APO|FPO|DPO)[ \t]+(?:AE|AP|AA)[ \t]+\d{5}(?:-\d{4})?"
    r"|\b(?:APO|FPO|DPO)[ \t]+(?:AE|AP|AA)[ \t]+\d{5}(?:-\d{4})?"
)
_CORNER = re.compile(
    rf"\b(?i:corner|intersection|junction)[ \t]+of[ \t]+(?P<v>(?:{_NAMEWORDS}){{0,3}}{_CAPWORD}[ \t]+(?:and|&)[ \t]+"
    rf"(?:{_NAMEWORDS}){{0,3}}{_CAPWORD})",
)
_ADDR_CUE = re.compile(
    r"(?:address\s+is|address|addr\.?|live[sd]?\s+at|living\s+at|resid(?:e|es|ing)\s+at|moved\s+to|ship\s+to|send\s+(?:\w+\s+){0,2}to|"
    r"deliver(?:ed)?\s+to|mail(?:ed)?\s+(?:it\s+)?to|located\s+at|flat\s+is|house\s+is|office\s+(?:is\s+)?at)[ \t:]*\n?[ \t]*$",
    re.IGNORECASE,
)
_ADDR_CUE_AHEAD = re.compile(_ADDR_CUE.pattern.replace("[ \\t]*$", "[ \\t]*"), re.IGNORECASE)
_CUED_STREET = re.compile(
    rf"(?:{_NUM}[ \t]+(?:{_NAMEWORDS}){{0,3}}{_CAPWORD}|(?:{_NAMEWORDS}){{0,3}}{_CAPWORD},?[ \t]+{_NUM}){_UNIT}{{0,2}}"
)


class StreetAddressRecognizer(_Base):
    """Street addresses of many countries, with their city/postcode (and country) lines.

    A street line alone scores 0.7 (0.9 after an address cue); followed by a postcode/city
    line it scores 0.9. Number after the street name, prefixed street types (rue, via,
    calle, rua, ul.), compound endings (-straße, -tie, -gatan, -vej) and English suffixes
    are all street lines.
    """

    ENTITY = "US_ADDRESS"
    NAME = "StreetAddressRecognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        spans: list[tuple[int, int, float, str]] = []
        for m in _STREET.finditer(text):
            spans.append(self._extend(text, m.start(), m.end(), 0.7, "street line"))
        for w in _PREFIX_WORD.finditer(text):
            lead = _NUMBER_BEFORE.search(text, max(0, w.start() - 12), w.start())
            pm = _STREET_PREFIXED.match(text, lead.start() if lead else w.start())
            if pm:
                spans.append(self._extend(text, pm.start(), pm.end(), 0.7, "street line"))
        for cue in _ADDR_CUE_AHEAD.finditer(text):
            cm = _CUED_STREET.match(text, cue.end())
            if cm:
                spans.append(self._extend(text, cm.start(), cm.end(), 0.9, "street line after an address cue"))
        for m in _MILITARY.finditer(text):
            spans.append((m.start(), m.end(), 0.95, "US military address (APO/FPO/DPO)"))
        for m in _CORNER.finditer(text):
            spans.append((m.start("v"), m.end("v"), 0.9, "street corner"))
        yield from spans

    @staticmethod
    def _extend(text: str, start: int, end: int, score: float, why: str) -> tuple[int, int, float, str]:
        loc = _LOCALITY.match(text, end)
        if loc:
            end = loc.end()
            score = max(score, 0.9)
            why += " + postcode/city line"
            country = _COUNTRY.match(text, end)
            if country:
                end = country.end()
        if _ADDR_CUE.search(text[max(0, start - 40) : start]):
            score = max(score, 0.9)
        while end > start and text[end - 1] in ".,; \t":
            end -= 1
        return start, end, score, why


# --- numbers -----------------------------------------------------------------------------
def luhn_ok(digits: str) -> bool:
    d = [int(c) for c in digits if c.isdigit()]
    if len(d) < 12:
        return False
    total = 0
    for i, v in enumerate(reversed(d)):
        if i % 2:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return total % 10 == 0


_CARD = re.compile(
    r"(?<![\w-])(?:\d{4}[ -]){3}\d{1,7}(?![\w-])|(?<![\w-])\d{4}[ -]\d{6}[ -]\d{5}(?![\w-])|(?<![\w.-])\d{13,19}(?![\w.-])"
)
_CARD_CUE = re.compile(
    r"\b(?:card|cc|visa|master\s*card|amex|american\s+express|discover|maestro|debit|credit|pan)\b", re.I
)


class CardNumberRecognizer(_Base):
    """13-19 digit card numbers: Luhn-valid with a card prefix (0.9), or any when the text says card."""

    ENTITY = "CREDIT_CARD"
    NAME = "CardNumberRecognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        for m in _CARD.finditer(text):
            digits = re.sub(r"\D", "", m.group())
            if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
                continue
            cue = bool(_CARD_CUE.search(text[max(0, m.start() - 60) : m.start()]))
            if luhn_ok(digits) and digits[0] in "23456":
                yield m.start(), m.end(), 0.95 if cue else 0.85, "Luhn-valid card number"
            elif cue:
                yield m.start(), m.end(), 0.75, "card-length number after the word card (checksum fails)"


def iban_ok(value: str) -> bool:
    v = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", v):
        return False
    moved = v[4:] + v[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_IBAN = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?(?![\w])")


class IbanAnyCaseRecognizer(_Base):
    """IBANs in any case and grouping, checked with ISO 7064 mod 97."""

    ENTITY = "IBAN_CODE"
    NAME = "IbanAnyCaseRecognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        for m in _IBAN.finditer(text):
            value = m.group()
            # the greedy groups may swallow a following word: back off until the checksum holds
            while value and not iban_ok(value):
                cut = value.rfind(" ")
                if cut < 15:
                    value = ""
                    break
                value = value[:cut]
            if value:
                yield m.start(), m.start() + len(value), 0.95, "IBAN with a valid mod-97 check"


_PHONE = re.compile(
    r"(?<![\w.+/-])(?:\+|00)\d{1,3}[ \t.-]?(?:\(0?\d{1,4}\)[ \t.-]?)?\d{1,5}(?:[ \t.-]?\d{1,5}){1,5}(?![\w/])"
    r"|(?<![\w.+/-])\(?0?\d{1,5}\)?(?:[ \t.-]?\d{2,5}){1,5}(?![\w/])"
)
_PHONE_CUE = re.compile(
    r"\b(?:phone|tel|telephone|call|ring|cell|mobile|mob|fax|contact|reach|whatsapp|text|sms|number|no|nr|"
    r"handy|puh|tlf|telefon|téléphone|teléfono|telefone|móvil|celular)\b\.?|\|",
    re.I,
)


_NANP = re.compile(r"\(\d{3}\)[ \t]?\d{3}[ \t.-]\d{4}|\d{3}([.-])\d{3}\1\d{4}")
# a number with separators alone on its line, or before a "|" (résumé and signature blocks)
_ALONE = re.compile(r"[ \t]*(?:\||\n|$)")


class InternationalPhoneRecognizer(_Base):
    """Phone numbers with a country code (validated by libphonenumber), or in national form after a cue."""

    ENTITY = "PHONE_NUMBER"
    NAME = "InternationalPhoneRecognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        import phonenumbers

        for m in _PHONE.finditer(text):
            value = m.group().rstrip(" .-")
            digits = re.sub(r"\D", "", value)
            if not 7 <= len(digits) <= 15:
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            if value.startswith(("+", "00")):
                try:
                    num = phonenumbers.parse("+" + value.lstrip("+0") if value.startswith("00") else value, None)
                except phonenumbers.NumberParseException:
                    continue
                if phonenumbers.is_valid_number(num):
                    yield m.start(), m.start() + len(value), 0.85, "international number, valid for its country"
                elif phonenumbers.is_possible_number(num):
                    # e.g. fictional +1 202 555 0143: the right length for its country, not assigned
                    score = 0.6 if _PHONE_CUE.search(before) else 0.45
                    yield m.start(), m.start() + len(value), score, "international number of a possible length"
            elif _NANP.fullmatch(value) and not re.search(
                r"\b(?:invoice|order|account|acct|ref|reference)\b", before, re.I
            ):
                yield m.start(), m.start() + len(value), 0.5, "North American number shape (area code, exchange, line)"
            elif (
                (_PHONE_CUE.search(before) or _ALONE.match(text, m.start() + len(value)))
                and len(digits) >= 8
                and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
            ):
                if re.search(
                    r"\b(?:invoice|order|account|acct|ref|reference|card|iban|ssn|mrn|record)\b", before, re.I
                ):
                    continue
                yield m.start(), m.start() + len(value), 0.6, "national-format number after a phone cue"


_IP_IN_URL = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]?\d)"
)


class Ipv4Recognizer(_Base):
    """IPv4 addresses anywhere, including inside URLs, brackets and log lines."""

    ENTITY = "IP_ADDRESS"
    NAME = "Ipv4Recognizer"

    def find(self, text: str, nlp_artifacts: Any) -> Iterator[tuple[int, int, float, str]]:
        for m in _IP_IN_URL.finditer(text):
            before = text[max(0, m.start() - 12) : m.start()].lower()
            if re.search(r"(?:version|ver|v)\.?\s*$", before):
                continue
            yield m.start(), m.end(), 0.8, "dotted quad"


def intl_recognizers() -> list[EntityRecognizer]:
    return [
        FirstNameRecognizer(),
        CuedNameRecognizer(),
        StreetAddressRecognizer(),
        CardNumberRecognizer(),
        IbanAnyCaseRecognizer(),
        InternationalPhoneRecognizer(),
        Ipv4Recognizer(),
    ]


class LineSplitNerRecognizer(EntityRecognizer):
    """Presidio's spaCy recognizer, with its spans cut at line breaks.

    The small model runs a name on into the next line ("Roger Benard\\nPhone"); Presidio
    would then discard the correct, shorter span of another recognizer as "contained" in
    it. Each line's piece becomes its own result, under the wrapped recognizer's name.
    """

    def __init__(self, inner: EntityRecognizer) -> None:
        self.inner = inner
        super().__init__(
            supported_entities=inner.supported_entities,
            name=inner.name,  # type: ignore[has-type]
            supported_language=inner.supported_language,
        )

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for r in self.inner.analyze(text, entities, nlp_artifacts):
            # Presidio routes results back to their recognizer by id: they must carry this wrapper's
            r.recognition_metadata = {
                **(r.recognition_metadata or {}),
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            }
            value = text[r.start : r.end]
            if r.entity_type == "PERSON" and is_first_name(value.strip()):
                continue  # a lone given name: FirstNameRecognizer weighs it (cues, common words, eponyms)
            if "\n" not in value:
                out.append(r)
                continue
            pos = r.start
            for piece in value.split("\n"):
                lead = len(piece) - len(piece.lstrip())
                core = piece.strip()
                if core:
                    out.append(
                        RecognizerResult(
                            r.entity_type,
                            pos + lead,
                            pos + lead + len(core),
                            r.score,
                            r.analysis_explanation,
                            r.recognition_metadata,
                        )
                    )
                pos += len(piece) + 1
        return out
