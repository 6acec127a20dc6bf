"""Is a page's text layer worth reading, or must the page be OCR'd?

A PDF page can carry text that is useless: fonts without a ToUnicode map come out as
U+FFFD, private-use code points or control characters; a scanner may stamp a few words
("Page 1", a fax header) on an image page. Trusting such a layer would skip OCR and lose
the page, so the classify stage asks :func:`assess_text` for every page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Fewer letters/digits than this and the page is treated as scanned (OCR is cheap insurance
#: for a near-empty page; skipping OCR on a scanned page with a stamped header is not).
MIN_TEXT_CHARS = 25
#: At most this share of the visible characters may be replacement/private-use/control/unassigned.
MAX_BAD_RATIO = 0.10
#: At least this share of the visible characters must be letters or digits.
MIN_ALNUM_RATIO = 0.50
#: Images covering at least this share of the page make it a possible scan: then a short
#: text (a stamped header, a page number) is not trusted to be the whole page.
SCAN_IMAGE_COVERAGE = 0.10


@dataclass(frozen=True)
class TextQuality:
    """Counts behind the decision, kept so the ledger can explain why a page went to OCR."""

    chars: int
    alnum: int
    bad: int
    usable: bool
    min_chars: int = MIN_TEXT_CHARS
    image_coverage: float = 1.0

    @property
    def reason(self) -> str:
        if self.usable:
            return "text layer usable"
        if self.chars and self.bad > MAX_BAD_RATIO * self.chars:
            return f"garbled text ({self.bad} of {self.chars} characters unmappable)"
        if self.alnum == 0:
            return "no text"
        if self.alnum < self.min_chars and self.image_coverage >= SCAN_IMAGE_COVERAGE:
            return (
                f"too little text for a page that is {self.image_coverage:.0%} image "
                f"({self.alnum} letters/digits, need {self.min_chars})"
            )
        return f"mostly symbols ({self.alnum} of {self.chars} characters are letters/digits)"


def _is_bad(ch: str) -> bool:
    code = ord(ch)
    if ch == "\ufffd" or 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return True
    return unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")


def assess_text(text: str, *, min_chars: int = MIN_TEXT_CHARS, image_coverage: float = 1.0) -> TextQuality:
    """Count a page's visible characters and decide whether its text layer is usable.

    ``image_coverage`` is the share of the page covered by images (0..1). A page with
    little text counts as text only when it has no significant image, i.e. nothing OCR
    could add. The default (1.0) is the cautious answer when the caller does not know.
    """
    visible = [ch for ch in text if not ch.isspace()]
    chars = len(visible)
    alnum = sum(1 for ch in visible if ch.isalnum())
    bad = sum(1 for ch in visible if _is_bad(ch))
    enough = alnum >= min_chars or (alnum > 0 and image_coverage < SCAN_IMAGE_COVERAGE)
    usable = enough and bad <= MAX_BAD_RATIO * chars and alnum >= MIN_ALNUM_RATIO * chars
    return TextQuality(
        chars=chars, alnum=alnum, bad=bad, usable=usable, min_chars=min_chars, image_coverage=image_coverage
    )
