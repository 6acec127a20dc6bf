"""Every named SQL statement is used by the application: dead statements are deleted, not kept."""

from __future__ import annotations

import ast

from conftest import REPO
from docledger.store.base import load_queries

SRC = REPO / "src" / "docledger"


def string_literals() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_named_statement_is_used_in_the_source() -> None:
    used = string_literals()
    names = set(load_queries("sqlite")) | set(load_queries("postgres"))
    unused = sorted(n for n in names if n not in used)
    assert unused == [], f"named statements no code runs (delete them or use them): {unused}"


def test_every_statement_the_source_names_exists() -> None:
    """The converse, for the calls whose statement name is a literal: tx.fetchall("x") needs a "-- name: x"."""
    names = set(load_queries("sqlite")) & set(load_queries("postgres"))
    missing = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"fetchall", "fetchone", "execute"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and getattr(node.func.value, "id", getattr(node.func.value, "attr", "")) in {"tx", "self"}
            ):
                if node.args[0].value not in names:
                    missing.add(f"{path.relative_to(SRC)}: {node.args[0].value}")
    assert sorted(missing) == []
