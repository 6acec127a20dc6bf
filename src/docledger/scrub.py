"""Server file paths never leave the server: messages shown through the API, the UI or exports
keep only the last component of an absolute path (``/srv/dl/blobs/ab/cd/abcd…`` -> ``…/abcd…``).

Errors recorded by workers (tracebacks, ``FileNotFoundError`` texts) and timeline messages
pass through :func:`hide_paths` when they are read, so rows written before this rule are
covered too.
"""

from __future__ import annotations

import re

# An absolute POSIX path of two or more components, or a Windows one; stops at quotes, spaces, commas.
_PATH = re.compile(
    r"(?:(?<=^)|(?<=[\s'\"(=:\[]))"  # at the start or after a separator
    r"(?:[A-Za-z]:\\|/(?!v1/|ui/))"  # a drive or the root, but not our own URL paths
    r"(?:[^\s'\"/\\,;:)\]]+[/\\])+([^\s'\"/\\,;:)\]]*)"  # directories, then the last component
)


def hide_paths(text: str | None) -> str | None:
    """``text`` with every absolute path reduced to ``…/<last component>``."""
    if not text:
        return text
    return _PATH.sub(lambda m: f"…/{m.group(1)}", text)
