"""Word lists the PII recognizers consult, loaded once from data packages.

* :func:`first_names` - about 48,000 given names of 50+ countries, with their diacritics
  (Łukasz, Ilkka, Søren), from the ``gender-guesser`` package's ``nam_dict.txt`` (Jörg
  Michael's name dictionary). It is read as a text file; the package's code is not used.
* :func:`common_words` - lower-case English words in both Webster's 2nd and GCIDE (``english-words``):
  a capitalised word that is also a common word ("Patient", "Salary", "Grace", "Will")
  needs more evidence than the capital letter to be a name.

Both are sets of ``str``; lookups are case-sensitive for names (the dictionary spells
them capitalised) and lower-case for common words.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources

from docledger.exceptions import ConfigurationError

__all__ = ["first_names", "common_words", "is_common_word", "is_first_name"]

_lock = threading.Lock()
# Short function words and pronouns some name lists carry ("Al", "Do", "Ma"): never a name alone.
_NEVER = frozenset(
    "A An And Are As At Be But By Can Da De Del Den Der Des Di Do Du El En Et For From Go He Her Him His I If In "
    "Is It La Le Les Lo Los Ma Me My No Not Of On Or Our She So The Then They This To Un Una Up Us We Who Why "
    "With You Your Yes Ok Okay Dr Mr Mrs Ms Hi Hey Hello Dear Thanks Cheers Best Regards Love "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


def _missing(pkg: str, exc: Exception) -> ConfigurationError:
    return ConfigurationError(
        f"The PII word lists need the package {pkg}, which is not installed.",
        code="nlp_model_missing",
        hint="Install the pinned packages: pip install -r requirements.txt.",
    )


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    with _lock:
        try:
            text = resources.files("gender_guesser").joinpath("data/nam_dict.txt").read_text("utf-8")
        except (ModuleNotFoundError, FileNotFoundError) as exc:
            raise _missing("gender-guesser==0.4.0", exc) from exc
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[1]
        if "+" in name:
            names.update(name.replace("+", sep) for sep in ("-", " ", ""))
        else:
            names.add(name)
    names.update([_fold(n) for n in names])  # "Élisabeth" matches "Elisabeth"
    return frozenset(n for n in names if len(n) > 1 and n not in _NEVER)


def _fold(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    with _lock:
        try:
            from english_words import get_english_words_set
        except ModuleNotFoundError as exc:
            raise _missing("english-words==2.0.2", exc) from exc
        words = get_english_words_set(["web2"])
        gcide = get_english_words_set(["gcide"], lower=True)
    # web2 spells proper nouns capitalised, so its lower-case entries are ordinary words; a word
    # must also be in the GCIDE dictionary, which drops web2's rare entries ("clive", "kelly")
    return frozenset(w for w in words if w.islower() and w.isalpha() and w in gcide)


def is_first_name(word: str) -> bool:
    names = first_names()
    return word in names or _fold(word) in names


def is_common_word(word: str) -> bool:
    return word.lower() in common_words()
