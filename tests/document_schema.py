"""The published JSON Schema of document.json and of exports, for tests to validate against."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from conftest import REPO
from docledger.document.schema import schema_path


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(schema_path(REPO).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def assert_valid_document(data: Any) -> None:
    errors = sorted(validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])
