"""One router per ledger service: registry/ownership, lineage, operations, artifacts, search."""
