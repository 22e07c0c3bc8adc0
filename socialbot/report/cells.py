"""What every export does to a cell: text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations


def neutralise(value: object) -> object:
    """Spreadsheet formula injection: text starting with = + - @ (or tab/CR) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def printable(value: str) -> str:
    """Text from the internet as a terminal shows it: control characters (ESC, which could restyle or retitle
    the terminal, C1 codes, DEL) become U+FFFD; tabs and new lines stay."""
    if value.isprintable():
        return value
    return "".join(c if c in "\t\n" or c.isprintable() or not _control(c) else "\ufffd" for c in value)


def _control(c: str) -> bool:
    code = ord(c)
    return code < 0x20 or 0x7F <= code < 0xA0
