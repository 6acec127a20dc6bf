"""The `docledger` command line, assembled from one module per topic.

Each topic module holds thin commands (parse, call a service or the ledger, render) and exposes
``register(app)``, which adds its commands and sub-apps. A new topic is a new module plus one
``register`` line below; the order of the lines is the order of ``docledger --help``.
"""

from __future__ import annotations

import typer

from docledger.cli import (
    analysis,
    audit,
    documents,
    governance,
    loans,
    operations,
    pipeline,
    query,
    review,
    server,
    tokens,
)

app = typer.Typer(
    help="docledger: a governed document-processing pipeline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

pipeline.register(app)  # ingest, worker, run
documents.register(app)  # list, status, lineage, export
operations.register(app)  # backfill, stages, summary, dlq
analysis.register(app)  # search, ask, match, graph, redact
server.register(app)  # serve, demo
tokens.register(app)  # token
audit.register(app)  # audit list/verify/seal/export
governance.register(app)  # hold, erase, retention
governance.register_keys(app)  # keys status/rotate
governance.register_rules(app)  # rules check/tick
loans.register(app)  # label, types train/list/add, loan assign/show/list
review.register(app)  # review list/resolve/accuracy
query.register(app)  # query

if __name__ == "__main__":
    app()
