"""Generated forms with known entities and question->answer links (training data and test fixtures).

A form is laid out on a 760 x 1000 px page (FUNSD's scale) from a random mix of blocks: a header,
"Key: value" rows (value right of the key, at a varying gap), stacked fields (value under its
key), two-column field grids, a small table (column headers naming the cells) and paragraphs of
other text. Word boxes come from the font's metrics, so the truth is exact; :func:`render`
draws the same words into an image for OCR tests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from docledger.ocr.types import BBox, Word, bbox_union

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

KEYS = [
    "Date",
    "Name",
    "To",
    "From",
    "Subject",
    "Re",
    "Address",
    "Phone",
    "Fax",
    "Company",
    "Brand",
    "Account No",
    "Total",
    "Amount",
    "City",
    "State",
    "Zip Code",
    "Title",
    "Department",
    "Signature",
    "Approved by",
    "Product code",
    "Start date",
    "End date",
    "Quantity",
    "Budget",
    "Region",
    "Contact",
    "Reference",
    "Market",
    "Distribution",
    "Program",
    "Telephone",
    "Job number",
    "Issued",
    "Cost center",
    "Vendor",
]
FIRST = ["John", "Mary", "Karen", "Robert", "Linda", "James", "Susan", "Peter", "Anna", "David"]
LAST = ["Smith", "Walsh", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Clark"]
WORDS = (
    "the of program market sales report research review test product brand retail division total "
    "results plan tobacco samples project approval budget quarter national regional data"
).split()


@dataclass
class SynthEntity:
    id: int
    label: str  # question | answer | header | other
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> BBox:
        return bbox_union(w.bbox for w in self.words)


@dataclass
class SynthForm:
    width: int
    height: int
    entities: list[SynthEntity] = field(default_factory=list)
    links: list[tuple[int, int]] = field(default_factory=list)  # (question id, answer id)
    font_px: int = 11

    @property
    def words(self) -> list[Word]:
        return [w for e in self.entities for w in e.words]

    def pairs(self) -> list[tuple[str, str]]:
        by_id = {e.id: e for e in self.entities}
        return [(by_id[q].text.rstrip(":").strip(), by_id[a].text) for q, a in self.links]


def _font(px: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    return ImageFont.truetype(str(path), px) if path.is_file() else ImageFont.load_default(size=px)


class _Layout:
    def __init__(self, rng: random.Random, width: int, height: int, px: int) -> None:
        self.rng = rng
        self.form = SynthForm(width, height, font_px=px)
        self.px = px
        self.font = _font(px)
        self.space = self.font.getlength(" ")
        self.y = float(rng.randint(30, 70))
        self.margin = float(rng.randint(30, 80))

    def add(self, label: str, text: str, x: float, y: float) -> SynthEntity:
        words = []
        for token in text.split():
            w = self.font.getlength(token)
            words.append(Word(token, (x, y, x + w, y + self.px * 1.15), 1.0))
            x += w + self.space
        ent = SynthEntity(len(self.form.entities), label, words)
        self.form.entities.append(ent)
        return ent

    def width_of(self, text: str) -> float:
        return self.font.getlength(text)

    def newline(self, factor: float = 1.0) -> None:
        self.y += self.px * (1.6 + self.rng.random() * 1.4) * factor

    def fits(self) -> bool:
        return self.y < self.form.height - 60


def _value(rng: random.Random, key: str) -> str:
    k = key.lower()
    if "date" in k or k in ("issued",):
        return rng.choice(
            [
                f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(90, 99)}",
                f"{rng.choice(['March', 'June', 'October'])} {rng.randint(1, 28)}, 19{rng.randint(85, 99)}",
            ]
        )
    if k in ("name", "to", "from", "contact", "approved by", "signature"):
        return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if k in ("phone", "fax", "telephone"):
        return f"({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
    if k in ("total", "amount", "budget"):
        return f"${rng.randint(10, 99999):,}.{rng.randint(0, 99):02d}"
    if any(t in k for t in ("no", "number", "code", "quantity", "reference", "zip")):
        return str(rng.randint(10, 9999999))
    n = rng.randint(1, 4)
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def _key_text(rng: random.Random, used: set[str]) -> str:
    key = rng.choice([k for k in KEYS if k not in used] or KEYS)
    used.add(key)
    style = rng.random()
    if style < 0.15:
        key = key.upper()
    return key + (":" if rng.random() < 0.75 else "")


def generate_form(rng: random.Random) -> SynthForm:
    """One random form (see the module docstring); ``pairs()`` gives its (key, value) truth."""
    lay = _Layout(rng, 760, 1000, rng.choice([10, 11, 12, 13]))
    used: set[str] = set()
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).upper()
    lay.add("header", title, lay.margin + rng.random() * 200, lay.y)
    lay.newline(1.5)
    while lay.fits():
        kind = rng.choices(["row", "stacked", "grid", "table", "other"], [5, 2, 3, 1, 1])[0]
        if kind == "row":
            key = _key_text(rng, used)
            k = lay.add("question", key, lay.margin, lay.y)
            gap = lay.space * (1 + rng.random() * 10) if rng.random() < 0.7 else 200 - lay.width_of(key)
            if rng.random() < 0.92:
                a = lay.add("answer", _value(rng, key.rstrip(":")), lay.margin + lay.width_of(key) + max(gap, 6), lay.y)
                lay.form.links.append((k.id, a.id))
            lay.newline()
        elif kind == "stacked":
            xs = [lay.margin + i * rng.randint(170, 240) for i in range(rng.randint(1, 3))]
            pending = []
            for x in xs:
                if x > lay.form.width - 150:
                    break
                key = _key_text(rng, used)
                pending.append((lay.add("question", key, x, lay.y), key, x))
            lay.newline(0.9)
            for k, key, x in pending:
                a = lay.add("answer", _value(rng, key.rstrip(":")), x, lay.y)
                lay.form.links.append((k.id, a.id))
            lay.newline()
        elif kind == "grid":
            col2 = lay.margin + rng.randint(330, 400)
            for _ in range(rng.randint(2, 4)):
                for x in (lay.margin, col2):
                    key = _key_text(rng, used)
                    k = lay.add("question", key, x, lay.y)
                    a = lay.add("answer", _value(rng, key.rstrip(":")), x + lay.width_of(key) + lay.space * 2, lay.y)
                    lay.form.links.append((k.id, a.id))
                lay.newline(0.8)
            lay.newline(0.5)
        elif kind == "table":
            heads = rng.sample(["Brand", "Quantity", "Amount", "Region", "Code", "Cost"], 3)
            xs = [lay.margin + i * rng.randint(150, 200) for i in range(3)]
            hs = [lay.add("question", h, x, lay.y) for h, x in zip(heads, xs, strict=True)]
            lay.newline(0.8)
            for _ in range(rng.randint(2, 4)):
                for h, head, x in zip(hs, heads, xs, strict=True):
                    a = lay.add("answer", _value(rng, head), x, lay.y)
                    lay.form.links.append((h.id, a.id))
                lay.newline(0.7)
            lay.newline(0.5)
        else:
            n = rng.randint(4, 12)
            lay.add("other", " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".", lay.margin, lay.y)
            lay.newline()
    return lay.form


def render(form: SynthForm) -> Image.Image:
    """The form drawn as a clean greyscale scan (words at their truth boxes)."""
    img = Image.new("L", (form.width, form.height), 250)
    draw = ImageDraw.Draw(img)
    font = _font(form.font_px)
    for word in form.words:
        draw.text((word.bbox[0], word.bbox[1]), word.text, fill=15, font=font)
    return img
