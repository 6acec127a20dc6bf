"""The one document model (pages, lines, words, forms, tables, checkboxes, signatures, fields, entities,
PII), the one writer of each artifact kind built from it, and its published JSON Schema."""

from docledger.document.model import (
    SCHEMA_VERSION,
    Checkbox,
    DocumentField,
    DocumentModel,
    Entity,
    FormField,
    KeyPhrase,
    Line,
    Page,
    Pii,
    Signature,
    Table,
    TableCell,
    Word,
)

__all__ = [
    "SCHEMA_VERSION",
    "Checkbox",
    "DocumentField",
    "DocumentModel",
    "Entity",
    "FormField",
    "KeyPhrase",
    "Line",
    "Page",
    "Pii",
    "Signature",
    "Table",
    "TableCell",
    "Word",
]
