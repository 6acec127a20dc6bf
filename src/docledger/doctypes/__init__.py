"""Document types: the built-in lending taxonomy, per-tenant types, rule-based typing, the
trainable classifier and package splitting. Declarative data ships in ``doctypes/data/``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["BUILTIN_TYPES", "Taxonomy", "rule_type", "taxonomy", "valid_type_name"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class TypeRule:
    name: str
    label: str
    title: tuple[re.Pattern[str], ...]
    patterns: tuple[tuple[re.Pattern[str], float], ...]


@dataclass(frozen=True)
class Taxonomy:
    version: str
    types: dict[str, TypeRule]


@cache
def taxonomy() -> Taxonomy:
    raw: dict[str, Any] = yaml.safe_load((resources.files("docledger.doctypes") / "data" / "taxonomy.yaml").read_text())
    types = {}
    for name, spec in raw["types"].items():
        types[name] = TypeRule(
            name=name,
            label=spec.get("label", name),
            title=tuple(re.compile(p, re.I | re.M) for p in spec.get("title") or []),
            patterns=tuple((re.compile(p, re.I | re.M), float(w)) for p, w in (spec.get("patterns") or {}).items()),
        )
    return Taxonomy(version=str(raw["version"]), types=types)


BUILTIN_TYPES: tuple[str, ...] = tuple(taxonomy().types)


def valid_type_name(name: str) -> str:
    """Type names are lower-case slugs (``w2``, ``pay-stub``, ``memo``); returns the normalised name."""
    from docledger.exceptions import InvalidRequest

    norm = name.strip().lower().replace(" ", "-")
    if not _NAME.match(norm):
        raise InvalidRequest(
            f"{name!r} is not a valid document type name",
            hint="Use lower-case letters, digits, '-', '_' or '.', e.g. pay-stub or memo.",
        )
    return norm


def rule_scores(text: str, *, head_chars: int = 600) -> dict[str, float]:
    """Evidence per built-in type: title patterns near the top weigh 4, the others their weight."""
    head = text[:head_chars]
    scores: dict[str, float] = {}
    for name, rule in taxonomy().types.items():
        s = 0.0
        if any(p.search(head) for p in rule.title):
            s += 4.0
        elif any(p.search(text) for p in rule.title):
            s += 1.0
        s += sum(w for p, w in rule.patterns if p.search(text))
        if s > 0:
            scores[name] = s
    return scores


def rule_type(text: str, *, min_evidence: float = 0.0) -> tuple[str, float]:
    """(type, confidence) from the taxonomy's rules; ``other`` when no rule fires, or when the best type's
    evidence is below ``min_evidence`` (a document is typed only on a title or several cues; a page in a
    package keeps its weak guess, which still helps to place boundaries)."""
    scores = rule_scores(text)
    if not scores:
        return "other", 0.3
    best = max(scores, key=lambda k: scores[k])
    top = scores[best]
    if top < min_evidence:  # one weak cue and no title ("underwriter" in a note): not enough to call it a form
        return "other", 0.5
    rest = sum(scores.values()) - top
    conf = top / (top + rest + 2.0)
    return best, round(min(0.97, max(0.2, conf)), 4)
