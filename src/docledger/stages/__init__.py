"""Stage plugins: discovered through the ``docledger.stages`` entry-point group."""

from __future__ import annotations

from importlib.metadata import entry_points

from docledger.exceptions import ConfigurationError
from docledger.settings import Settings
from docledger.stages.base import Stage, StageContext

GROUP = "docledger.stages"


def discover(settings: Settings, *, only: list[str] | None = None) -> dict[str, Stage]:
    """Instantiate every installed stage (or the named subset), keyed by stage name."""
    stages: dict[str, Stage] = {}
    for ep in entry_points(group=GROUP):
        if only is not None and ep.name not in only:
            continue
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, Stage)):
            raise ConfigurationError(f"entry point {ep.name} = {ep.value} is not a docledger Stage subclass")
        if cls.name != ep.name:
            raise ConfigurationError(f"entry point {ep.name} loads stage named {cls.name!r}; the names must match")
        stages[cls.name] = cls(settings)
    if only is not None:
        missing = set(only) - set(stages)
        if missing:
            raise ConfigurationError(
                f"unknown stage(s): {', '.join(sorted(missing))}", hint="`docledger stages` lists the installed ones."
            )
    return stages


__all__ = ["GROUP", "Stage", "StageContext", "discover"]
