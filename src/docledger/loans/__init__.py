"""Loan files: the declarative checklists per loan product and cross-document risk rules
(``loans/data/checklists.yaml``, ``loans/data/rules.yaml``), and their evaluation."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((resources.files("docledger.loans") / "data" / name).read_text())
    return data


@cache
def checklists() -> dict[str, Any]:
    return _load("checklists.yaml")


@cache
def risk_rules() -> dict[str, Any]:
    return _load("rules.yaml")
