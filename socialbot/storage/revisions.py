"""The migrations this version of socialbot ships, known by their file names (``NNNN_what``), without Alembic."""

from __future__ import annotations

from pathlib import Path

VERSIONS = Path(__file__).parent / "migrations" / "versions"


def revisions() -> set[str]:
    return {p.stem for p in VERSIONS.glob("[0-9]*.py")}


def head_revision() -> str:
    """The newest migration: revisions are named after their files, in order (a test holds it to Alembic's head)."""
    return max(revisions())
