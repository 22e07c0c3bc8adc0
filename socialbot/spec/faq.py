"""FAQ knowledge bases: a YAML file of question variants and answers, read with line numbers like a campaign.

    - questions: ["Do you ship to Portugal?", "Shipping to Europe?"]
      answer: ["Yes: every EU country, in 3 to 5 days.", "We do! EU delivery takes 3-5 days."]

``questions`` and ``answer`` each take one text or a list; an entry's answers are rotated.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from socialbot.domain.qa import FaqEntry
from socialbot.errors import Problem
from socialbot.spec.yamlsource import load_yaml

MAX_ENTRIES = 2000
MAX_TEXT = 2000


def faq_path(campaign_file: Path, name: str) -> Path:
    return (campaign_file.parent / name).resolve()


def load_faq(path: Path) -> tuple[tuple[FaqEntry, ...], list[Problem]]:
    """The entries of a knowledge base file and every problem in it (an empty tuple when it cannot be read)."""
    located, problems = load_yaml(path)
    if located is None:
        return (), problems
    data = located.data
    if not isinstance(data, list):
        return (), [*problems, located.problem((), "a FAQ file is a list of entries with 'questions' and 'answer'")]
    if len(data) > MAX_ENTRIES:
        return (), [*problems, located.problem((), f"{len(data)} entries; a FAQ file holds at most {MAX_ENTRIES}")]
    entries = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or set(item) - {"questions", "answer"}:
            problems.append(located.problem((i,), "an entry has 'questions' and 'answer' (each a text or a list)"))
            continue
        texts = {}
        for key in ("questions", "answer"):
            value = item.get(key)
            listed = [value] if isinstance(value, str) else value
            if (
                not isinstance(listed, list)
                or not listed
                or not all(isinstance(t, str) and t.strip() and len(t) <= MAX_TEXT for t in listed)
            ):
                problems.append(
                    located.problem((i, key), f"'{key}' is a text or a list of texts (1 to {MAX_TEXT} characters)")
                )
                break
            texts[key] = tuple(t.strip() for t in listed)
        else:
            entries.append(FaqEntry(questions=texts["questions"], answers=texts["answer"]))
    return tuple(entries), problems


@lru_cache(maxsize=64)
def _cached(path: Path, mtime_ns: int, size: int) -> tuple[tuple[FaqEntry, ...], tuple[Problem, ...]]:
    entries, problems = load_faq(path)
    return entries, tuple(problems)


def checked_faq(path: Path) -> tuple[tuple[FaqEntry, ...], tuple[Problem, ...]]:
    """``load_faq``, read once while the file is unchanged (500 campaigns sharing one knowledge base parse it once)."""
    try:
        st = path.stat()
    except OSError:
        return load_faq(path)[0], tuple(load_faq(path)[1])
    return _cached(path, st.st_mtime_ns, st.st_size)


def faq_entries(path: Path) -> tuple[FaqEntry, ...]:
    """The entries of a knowledge base as the daemon uses them (read again when the file changes)."""
    return checked_faq(path)[0]
