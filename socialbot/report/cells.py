"""What every export does to a cell: text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations


def neutralise(value: object) -> object:
    """Spreadsheet formula injection: text starting with = + - @ (or tab/CR) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
