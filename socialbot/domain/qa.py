"""Q&A sessions: the FAQ knowledge base and its matching, grouping near-duplicate questions, answer wording,
the hourly cap on automatic answers, ranking the queue, and time-to-answer figures.

Similarity is rapidfuzz's token-sort ratio on folded text (0-100), never a hand-written measure: word order
does not matter, but extra or missing words do (a token-set ratio gives 100 to any subset: "you" would match
every question with "you" in it, and "Do you ship drugs to Portugal?" the shipping answer).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

GROUP_MIN = 85  # two questions this similar are one question asked twice
UNKNOWN_WORD = 4  # a question with a word this long that none of an entry's ways of asking has ...
UNSURE = 49.0  # ... matches that entry at most this well: below any threshold a campaign may set (50 to 100)
OPENERS = ("", "Good question! ", "Thanks for asking! ", "Great one: ", "Happy to answer: ", "Short answer: ")


def fold(text: str) -> str:
    """Lower case, no accents, no @handles or links, single spaces: what similarity is measured on."""
    text = re.sub(r"(?:^|\s)@\w+|https?://\S+", " ", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


@dataclass(frozen=True)
class FaqEntry:
    """One entry of a knowledge base: ways people ask it, and the answers to rotate."""

    questions: tuple[str, ...]
    answers: tuple[str, ...]


@dataclass(frozen=True)
class FaqMatch:
    entry: int  # index in the knowledge base
    confidence: float  # 0-100
    matched: str  # the variant it matched


class Faq:
    """A knowledge base prepared for matching many questions (each variant folded once)."""

    def __init__(self, entries: Sequence[FaqEntry]) -> None:
        self.entries = tuple(entries)
        self._variants = [fold(q) for e in self.entries for q in e.questions]
        self._owner = [i for i, e in enumerate(self.entries) for _ in e.questions]
        self._shown = [q for e in self.entries for q in e.questions]
        self._vocab = [{w for q in e.questions for w in fold(q).split()} for e in self.entries]

    def match(self, question: str) -> FaqMatch | None:
        """The best entry for ``question`` and how confident the match is, or None for an empty base."""
        from rapidfuzz import fuzz, process

        if not self._variants:
            return None
        found = process.extractOne(fold(question), self._variants, scorer=fuzz.token_sort_ratio)
        if found is None:
            return None
        _, score, index = found
        entry = self._owner[index]
        if any(len(w) >= UNKNOWN_WORD and w not in self._vocab[entry] for w in fold(question).split()):
            score = min(score, UNSURE)  # "Do you ship drugs to Portugal?" is not the shipping question
        return FaqMatch(entry, float(score), self._shown[index])


def same_question(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    return fuzz.token_sort_ratio(fold(a), fold(b)) >= GROUP_MIN


def group_of(text: str, leaders: Iterable[tuple[int, str]]) -> int | None:
    """The id of the first group whose leading question ``text`` repeats, or None (a new question)."""
    from rapidfuzz import fuzz

    folded = fold(text)
    if not folded:
        return None
    for group, leader in leaders:
        if fuzz.token_sort_ratio(folded, fold(leader)) >= GROUP_MIN:
            return group
    return None


def answer_text(entry: FaqEntry, *, question_id: str, used: set[str]) -> str:
    """An answer for one question, worded so the same text is never posted twice in a session.

    Answer variants and short openers are combined, chosen by the question's id (the same question
    always gets the same first choice) and moved on past combinations already used.
    """
    combos = [opener + answer for answer in entry.answers for opener in OPENERS]
    start = int(hashlib.sha256(question_id.encode()).hexdigest()[:8], 16) % len(combos)
    for k in range(len(combos)):
        text = combos[(start + k) % len(combos)]
        if text not in used:
            return text
    return f"{combos[start]} ({len(used) + 1})"  # every wording used: numbered, still never the same text


def within_cap(sent_at: Sequence[datetime], *, now: datetime, per_hour: int) -> bool:
    """Whether one more automatic answer at ``now`` keeps the last hour at or under ``per_hour``."""
    return sum(1 for t in sent_at if now - timedelta(hours=1) < t <= now) < per_hour


def rank_key(*, score: int, asked_by: int, asked_at: datetime) -> tuple[int, datetime]:
    """Queue order: the most asked and most liked first, then the oldest."""
    return (-(score + asked_by), asked_at)


@dataclass(frozen=True)
class ResponseTimes:
    answered: int
    median: timedelta | None
    p90: timedelta | None


def response_times(waits: Sequence[timedelta]) -> ResponseTimes:
    """Median and 90th percentile (nearest rank) of the times questions waited for their answer."""
    ordered = sorted(waits)
    if not ordered:
        return ResponseTimes(0, None, None)
    n = len(ordered)
    median = ordered[(n - 1) // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    p90 = ordered[max(0, -(-9 * n // 10) - 1)]
    return ResponseTimes(n, median, p90)
