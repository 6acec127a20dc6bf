"""Schema and SQL checks: both dialects' migrations build the same schema, every named
statement prepares on both engines, migrations are idempotent and safe to race, and the
SQL files ship with the package."""

from __future__ import annotations

import fnmatch
import re
import sqlite3
import threading
import tomllib
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, create_database, drop_database, pg_base, pg_url
from docledger.store import open_store
from docledger.store.base import load_queries, migration_files

PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
FAMILY = {
    "text": "text",
    "integer": "int",
    "bigint": "int",
    "bigserial": "int",
    "double precision": "float",
    "blob": "bytes",
    "bytea": "bytes",
    "tsvector": "tsvector",
}
# Full-text search is the one place the dialects differ by design (DESIGN.md: SQLite FTS5 vs
# PostgreSQL tsvector/GIN). Everything else must match table for table, column for column.
SQLITE_ONLY_TABLES = re.compile(r"^search_fts(_\w+)?$")
POSTGRES_ONLY = {"columns": {("search_pages", "tsv")}, "indexes": {"search_pages_tsv"}}
SRC = REPO / "src" / "docledger"


# ---- introspection -----------------------------------------------------------------------------
def sqlite_schema(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
            if not SQLITE_ONLY_TABLES.match(r[0])
        ]
        columns, indexes = {}, set()
        for t in tables:
            columns[t] = {
                r[1]: (FAMILY[r[2].lower()], bool(r[3] or r[5])) for r in conn.execute(f"PRAGMA table_info({t})")
            }
            for _, name, unique, origin, _partial in conn.execute(f"PRAGMA index_list({t})"):
                cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({name})"))
                # explicit indexes compare by name; constraint-backed ones by what they cover
                indexes.add((t, name if origin == "c" else "<constraint>", cols, bool(unique)))
            pk = tuple(r[1] for r in sorted(conn.execute(f"PRAGMA table_info({t})"), key=lambda r: r[5]) if r[5])
            if pk and not any(i[0] == t and i[2] == pk for i in indexes):
                indexes.add((t, "<constraint>", pk, True))  # INTEGER PRIMARY KEY is the rowid, not an index
        return {"tables": tables, "columns": columns, "indexes": indexes}
    finally:
        conn.close()


def postgres_schema(url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        columns: dict[str, dict[str, tuple[str, bool]]] = {t: {} for t in tables}
        for t, c, dtype, nullable in conn.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        ):
            if (t, c) not in POSTGRES_ONLY["columns"]:
                columns[t][c] = (FAMILY[dtype], nullable == "NO")
        indexes = set()
        for t, name, unique, constraint, cols in conn.execute("""
                SELECT t.relname, i.relname, ix.indisunique,
                       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ix.indexrelid),
                       ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)
                FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid
                JOIN pg_class i ON i.oid = ix.indexrelid
                JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname = 'public'"""):
            if name not in POSTGRES_ONLY["indexes"]:
                indexes.add((t, "<constraint>" if constraint else name, tuple(cols), bool(unique)))
    return {"tables": tables, "columns": columns, "indexes": indexes}


@pytest.fixture(scope="module")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "fresh.sqlite3"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="module")
def pg_migrated() -> Any:
    if pg_base() is None:
        pytest.skip("DOCLEDGER_TEST_PG=skip")
    name = create_database()
    try:
        open_store(pg_url(name)).close()
        yield pg_url(name)
    finally:
        drop_database(name)


# ---- the two dialects agree --------------------------------------------------------------------
@pytest.mark.postgres
def test_both_dialects_migrate_to_the_same_schema(sqlite_migrated: Path, pg_migrated: str) -> None:
    lite, pg = sqlite_schema(sqlite_migrated), postgres_schema(pg_migrated)
    assert lite["tables"] == pg["tables"]
    assert "deliveries" in lite["tables"] and "schema_migrations" in lite["tables"]
    for table in lite["tables"]:
        assert lite["columns"][table] == pg["columns"][table], f"columns of {table} differ"
    assert lite["indexes"] == pg["indexes"]
    named = {i[1] for i in lite["indexes"]} - {"<constraint>"}
    assert {"deliveries_claim", "deliveries_fifo", "artifacts_document", "run_inputs_artifact"} <= named


def test_dialects_have_the_same_migration_versions() -> None:
    lite = [v for v, _ in migration_files("sqlite")]
    pg = [v for v, _ in migration_files("postgres")]
    assert lite == pg and lite == sorted(lite) and lite[0] == "0001"
    assert len(set(lite)) == len(lite), "two migrations share a version number"


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_stepwise_upgrade_equals_fresh_schema(
    dialect: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """A database that was deployed at an older version and upgraded ends like a fresh one."""
    import docledger.store.postgres as pg_mod
    import docledger.store.sqlite as lite_mod

    module = lite_mod if dialect == "sqlite" else pg_mod
    every = migration_files(dialect)
    fresh = (
        sqlite_schema(request.getfixturevalue("sqlite_migrated"))
        if dialect == "sqlite"
        else postgres_schema(request.getfixturevalue("pg_migrated"))
    )
    for upto in range(1, len(every) + 1):
        if dialect == "sqlite":
            url, cleanup = f"sqlite:///{tmp_path / f'step{upto}.sqlite3'}", None
        else:
            cleanup = create_database()
            url = pg_url(cleanup)
        try:
            monkeypatch.setattr(module, "migration_files", lambda d, n=upto: migration_files(d)[:n])
            open_store(url).close()  # the old deployment
            monkeypatch.undo()
            store = open_store(url, migrate=False)
            assert store.migrate() == [v for v, _ in every[upto:]]
            assert store.applied_migrations() == [v for v, _ in every]
            store.close()
            upgraded = (
                sqlite_schema(Path(url.removeprefix("sqlite:///"))) if dialect == "sqlite" else postgres_schema(url)
            )
            assert upgraded == fresh
        finally:
            if cleanup:
                drop_database(cleanup)


# ---- every named statement prepares --------------------------------------------------------------
def test_every_named_query_prepares_on_sqlite(sqlite_migrated: Path) -> None:
    conn = sqlite3.connect(sqlite_migrated)
    try:
        queries = load_queries("sqlite")
        for name, sql in queries.items():
            params = {p: None for p in PARAM.findall(sql)}
            try:
                conn.execute(f"EXPLAIN {sql}", params).fetchall()
            except sqlite3.Error as exc:
                pytest.fail(f"query {name} does not prepare on SQLite: {exc}\n{sql}")
    finally:
        conn.close()


@pytest.mark.postgres
def test_every_named_query_prepares_on_postgres(pg_migrated: str) -> None:
    import psycopg

    with psycopg.connect(pg_migrated, autocommit=True) as conn:
        for i, (name, sql) in enumerate(load_queries("postgres").items()):
            order: list[str] = []

            def number(m: re.Match[str], order: list[str] = order) -> str:
                if m.group(1) not in order:
                    order.append(m.group(1))
                return f"${order.index(m.group(1)) + 1}"

            try:
                conn.execute(f"PREPARE check_{i} AS {PARAM.sub(number, sql)}")
            except psycopg.Error as exc:
                pytest.fail(f"query {name} does not prepare on PostgreSQL: {exc}\n{sql}")
            (types,) = conn.execute(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s", (f"check_{i}",)
            ).fetchone()
            assert "unknown" not in types, f"query {name}: PostgreSQL cannot infer a parameter type: {types}"


def test_every_statement_the_code_runs_is_named_in_both_dialects() -> None:
    used: set[str] = set()
    call = re.compile(r"\.(?:fetchall|fetchone|execute)\(\s*\"([a-z_]+)\"")
    for path in SRC.rglob("*.py"):
        used |= set(call.findall(path.read_text()))
    assert len(used) > 30
    for dialect in ("sqlite", "postgres"):
        missing = used - set(load_queries(dialect))
        assert not missing, f"{dialect}: the code runs statements that queries.sql does not name: {missing}"


def test_dialect_overrides_only_replace_existing_names() -> None:
    from importlib import resources

    from docledger.store.base import parse_queries

    root = resources.files("docledger.store.sql")
    common = set(parse_queries((root / "queries.sql").read_text()))
    lite = set(parse_queries((root / "sqlite" / "queries.sql").read_text()))
    pg = set(parse_queries((root / "postgres" / "queries.sql").read_text()))
    # a statement only one dialect defines would break the other at run time
    assert lite - common == pg - common, "a dialect-only statement is missing from the other dialect"


# ---- idempotence and concurrency --------------------------------------------------------------------
def _race(url: str) -> list[list[str]]:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def go() -> None:
        try:
            store = open_store(url, migrate=False)
            results.append(store.migrate())
            store.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migrations_are_idempotent_and_safe_to_race(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    versions = [v for v, _ in migration_files(dialect)]
    name = None
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    else:
        request.getfixturevalue("pg_migrated")  # PostgreSQL reachable (or skipped)
        name = create_database()
        url = pg_url(name)
    try:
        results = _race(url)
        assert sorted(results, key=len) == [[], [], versions], "each migration must be applied exactly once"
        store = open_store(url, migrate=False)
        before = sqlite_schema(store.path) if dialect == "sqlite" else postgres_schema(url)
        assert store.migrate() == [] and store.migrate() == []
        assert store.applied_migrations() == versions
        after = sqlite_schema(store.path) if dialect == "sqlite" else postgres_schema(url)
        store.close()
        assert before == after
    finally:
        if name:
            drop_database(name)


# ---- packaging ---------------------------------------------------------------------------------------
def test_every_sql_file_ships_in_the_package() -> None:
    """A wheel must carry the dialect queries and migrations, or an installed docledger has no schema."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["docledger"]
    sql_files = [p.relative_to(SRC).as_posix() for p in (SRC / "store" / "sql").rglob("*.sql")]
    assert len(sql_files) >= 5
    unshipped = [
        f for f in sql_files if not any(fnmatch.fnmatchcase(f, g) and f.count("/") == g.count("/") for g in globs)
    ]
    assert not unshipped, (
        f"pyproject.toml [tool.setuptools.package-data] does not include {unshipped}; "
        "add 'store/sql/*/*.sql' and 'store/sql/*/migrations/*.sql'"
    )
