"""The published JSON Schema of ``document.json`` and of the export, generated from the model.

    python -m docledger.document.schema --write   # after changing docledger/document/model.py

writes ``docs/schema/document-v<MAJOR>.json``; a test fails when the committed file is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from docledger.document.model import SCHEMA_VERSION, DocumentModel

SCHEMA_ID = f"https://docledger.dev/schema/document-v{SCHEMA_VERSION.split('.')[0]}.json"


def json_schema() -> dict[str, Any]:
    schema = DocumentModel.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        **schema,
    }


def schema_path(repo: Path) -> Path:
    return repo / "docs" / "schema" / f"document-v{SCHEMA_VERSION.split('.')[0]}.json"


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    if argv[1:] == ["--write"]:
        path = schema_path(Path.cwd())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render())
        print(f"wrote {path}")
        return 0
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
