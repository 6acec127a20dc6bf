"""Read-side services over the ledger used by the CLI, the REST API and the web UI."""
