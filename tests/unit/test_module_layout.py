"""The package layout the next features build on: one CLI assembler, topic modules, no import circles."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import typer

import docledger
from docledger.cli import main

SRC = Path(docledger.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every docledger module a file imports (at top level or inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return {n for n in names if n.startswith("docledger")}


def topic_modules() -> list[str]:
    helpers = {"main", "common", "processing", "workers"}
    return [m.name for m in pkgutil.iter_modules([str(SRC / "cli")]) if m.name not in helpers]


def test_every_cli_topic_module_registers_itself_and_never_imports_the_assembler() -> None:
    topics = topic_modules()
    assert {"pipeline", "documents", "operations", "analysis", "server", "tokens"} <= set(topics)
    for name in topics:
        module = importlib.import_module(f"docledger.cli.{name}")
        assert callable(getattr(module, "register", None)), f"cli/{name}.py has no register(app)"
        assert "docledger.cli.main" not in imported_modules(SRC / "cli" / f"{name}.py"), name


def test_register_adds_commands_to_the_app_it_is_given() -> None:
    from docledger.cli import tokens

    app = typer.Typer()
    tokens.register(app)
    assert [g.name for g in app.registered_groups] == ["token"]
    assert {c.name for c in app.registered_groups[0].typer_instance.registered_commands} == {"create", "list", "revoke"}


def test_the_assembled_cli_keeps_every_command() -> None:
    commands = {c.name or c.callback.__name__ for c in main.app.registered_commands}  # type: ignore[union-attr]
    groups = {g.name for g in main.app.registered_groups}
    assert {
        "ingest",
        "worker",
        "run",
        "list",
        "status",
        "lineage",
        "export",
        "backfill",
        "stages",
        "summary",
        "search",
        "ask",
        "match",
        "graph",
        "redact",
        "serve",
        "demo",
    } <= commands
    assert {"dlq", "token"} <= groups


def test_web_page_modules_do_not_import_the_module_that_mounts_them() -> None:
    for path in (SRC / "web").glob("*.py"):
        if path.name != "routes.py":
            assert "docledger.web.routes" not in imported_modules(path), path.name


def modules_under(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def test_the_ledger_does_not_import_stages_or_workers() -> None:
    for path in modules_under("ledger"):
        bad = {m for m in imported_modules(path) if m.startswith(("docledger.stages", "docledger.worker"))}
        assert bad == set(), f"{path.name} imports {bad}"


# read-only helpers a stage may use: parsing the rules file (configuration, no writes)
STAGE_MAY_IMPORT = {"docledger.ledger.rules", "docledger.ledger.rules.load_rules"}


def test_stages_write_through_their_context_not_the_ledger() -> None:
    for path in modules_under("stages"):
        bad = {m for m in imported_modules(path) if m.startswith("docledger.ledger")} - STAGE_MAY_IMPORT
        assert bad == set(), f"stages/{path.name} imports {bad}"


WRITE_PATH = {
    "insert_run",
    "insert_run_input",
    "insert_artifact",
    "insert_problem",
    "insert_event",
    "fan_out_event",
    "insert_timeline",
    "update_document_status",
    "update_document_facts",
}


def test_runs_artifacts_inputs_problems_and_events_are_written_only_by_the_ledger() -> None:
    writers: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in WRITE_PATH:
                writers.setdefault(str(node.value), set()).add(str(path.relative_to(SRC).parent))
    assert set(writers) == WRITE_PATH  # every statement is still written somewhere...
    assert {d for dirs in writers.values() for d in dirs} == {"ledger"}  # ...and only by the ledger


def test_the_web_ui_uses_services_not_the_api_routers() -> None:
    for path in modules_under("web"):
        bad = {m for m in imported_modules(path) if m.startswith("docledger.api.routers")}
        assert bad == set(), f"web/{path.name} imports {bad}"
