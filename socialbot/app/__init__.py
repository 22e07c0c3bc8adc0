"""The application layer: use cases, one module each, wired together by ``App`` (app/composition.py).

``from socialbot.app import App`` works as before; the import is lazy, so a light command
(`validate`, `plan`) that needs only ``app.loading`` never loads the database layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialbot.app.composition import App

__all__ = ["App"]


def __getattr__(name: str) -> Any:
    if name == "App":
        from socialbot.app.composition import App

        return App
    raise AttributeError(f"module 'socialbot.app' has no attribute {name!r}")
