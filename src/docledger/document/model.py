"""The document model: what docledger extracted from a document, in one shape whatever stage made it.

One model describes the ``document.json`` artifact (written by ``extract-text``, ``ocr`` and ``xml``) and
the whole-document export (``docledger export --format json``, ``GET /v1/documents/{id}/export``), which
adds the NLP findings. Every item that was found somewhere carries where (``page``, ``bbox`` in the
page's pixel or point coordinates), how sure (``confidence``, 0..1) and who found it (``source_run``,
the id of the stage run in the lineage), when known.

Adding a field (a new label, a document type, a review correction): add it to the model below as an
optional field with a default (``x: str | None = None``), regenerate the published schema with
``python -m docledger.document.schema --write`` and commit ``docs/schema/``. Optional additions are
compatible (SCHEMA_VERSION minor +1); renaming or removing a field, or making one required, is a new
major version. Consumers ignore fields they do not know: every object accepts extra properties.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

BBox = tuple[float, float, float, float]


class Item(BaseModel):
    """Where an item was found, how sure, and which stage run found it."""

    model_config = ConfigDict(extra="allow")

    page: int | None = Field(default=None, description="1-based page number")
    bbox: BBox | None = Field(default=None, description="x0, y0, x1, y1 on the page (image pixels or PDF points)")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, description="0..1; 1.0 for born-digital text")
    source_run: str | None = Field(default=None, description="id of the stage run that produced it (lineage)")


class Word(Item):
    text: str


class Line(Item):
    text: str


class FormField(Item):
    """A key-value pair of a form; ``bbox`` is the value's box and ``key_bbox`` the label's."""

    key: str | None = None
    value: str | None = None
    key_bbox: BBox | None = None
    value_bbox: BBox | None = None
    type: str | None = Field(default=None, description="field type of a PDF form (text, checkbox, ...)")


class TableCell(Item):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""


class Table(Item):
    rows: list[list[str | None]] = Field(default_factory=list, description="cell texts, row by row")
    cells: list[TableCell] = Field(default_factory=list)
    method: str | None = None


class Checkbox(Item):
    label: str | None = None
    selected: bool


class Signature(Item):
    anchor: str | None = None


class DocumentField(Item):
    """A named value of the whole document (a form field, a receipt total), with where it came from."""

    name: str
    value: Any = None


class Entity(Item):
    text: str
    label: str
    start: int | None = None
    end: int | None = None


class Pii(Item):
    type: str
    text: str | None = None
    start: int | None = None
    end: int | None = None
    score: float | None = None


class KeyPhrase(Item):
    text: str
    score: float | None = None


class Page(BaseModel):
    model_config = ConfigDict(extra="allow")

    page: int
    width: float | None = None
    height: float | None = None
    text: str = ""
    source_run: str | None = None
    words: list[Word] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    forms: list[FormField] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    checkboxes: list[Checkbox] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list)


class DocumentModel(BaseModel):
    """A document's extracted content (``document.json``) and, in an export, its NLP findings."""

    model_config = ConfigDict(extra="allow", title="docledger document")

    schema_version: str = SCHEMA_VERSION
    document_id: str
    name: str | None = None
    status: str | None = None
    media_type: str | None = None
    pages: list[Page] = Field(default_factory=list)
    fields: dict[str, Any] = Field(default_factory=dict, description="name -> value (see field_details)")
    field_details: list[DocumentField] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    key_phrases: list[KeyPhrase] = Field(default_factory=list)
    pii: list[Pii] = Field(default_factory=list)
