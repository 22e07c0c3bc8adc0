"""Polls: the ballot of a reply poll, reading a reply as a vote, counting votes, and the results a report shows.

Native polls are counted by the platform (X and Reddit report totals per option, never who voted); a
reply poll ("reply A, B or C") is counted here from the collected replies, by the rule in ``REPLY_RULE``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

LETTERS = "ABCDEFGHIJ"  # a reply poll has at most 10 options, lettered
MAX_REPLY_OPTIONS = len(LETTERS)
REPLY_RULE = (
    "one vote per account: the last reply between the poll's opening and its close that reads as a vote counts; "
    "a reply reads as a vote when it is an option's letter or number (B, b), names one option's text "
    "('chai latte', any case, accents or a small typo) or carries one option's own emoji; "
    "a reply naming two options counts for neither"
)
NATIVE_RULE = "counted by the platform: totals per option only (it never says who voted)"
FUZZY_MIN = 85  # rapidfuzz ratio (0-100) for a short reply to be read as an option's text with a typo


def label(index: int) -> str:
    """An option's label: A to J (a longer list, which validation refuses, is numbered on)."""
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


def ballot(question: str, options: Sequence[str]) -> str:
    """The text of a reply poll: the question, then one line per lettered option, then how to vote."""
    lines = [question.rstrip(), ""]
    lines += [f"{label(i)}) {option}" for i, option in enumerate(options)]
    letters = [label(i) for i in range(len(options))]
    how = ", ".join(letters[:-1]) + f" or {letters[-1]}"
    lines += ["", f"Reply {how} to vote."]
    return "\n".join(lines)


_BALLOT_LINE = re.compile(r"^([A-J])\) (.+)$")


def ballot_options(text: str) -> tuple[str, ...] | None:
    """The options of a text written by ``ballot`` (the sandbox's audience reads a post as a person would)."""
    lines = text.splitlines()
    if not lines or not re.fullmatch(r"Reply [A-J](, [A-J])* or [A-J] to vote\.", lines[-1]):
        return None
    options: list[str] = []
    for line in lines:
        m = _BALLOT_LINE.match(line)
        if m and m.group(1) == LETTERS[len(options)]:
            options.append(m.group(2))
    return tuple(options) if len(options) >= 2 else None


# --- reading one reply ---------------------------------------------------------------------------------------------

_NOISE = re.compile(r"(?:^|\s)@\w+|https?://\S+")  # X replies open with @handles; links say nothing
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_KEYCAP = "\ufe0f\u20e3"  # 1️⃣ is "1" + VS16 + combining keycap
_SQUARED = {"🅰": "a", "🅱": "b", "🅾": "o"}
_LEAD = re.compile(r"^(?:option|opt|vote|voting|choice|answer|my vote|i vote|i pick|pick)\s*[:#]?\s*", re.IGNORECASE)


def _folded(text: str) -> str:
    """Lower case, no accents, regional-indicator and squared letters as letters, keycaps as digits."""
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) or ch in _KEYCAP:
            continue
        if "\U0001f1e6" <= ch <= "\U0001f1ff":  # regional indicator symbol letters 🇦 … 🇿
            out.append(" " + chr(ord("a") + ord(ch) - 0x1F1E6) + " ")
        elif ch in _SQUARED:
            out.append(" " + _SQUARED[ch] + " ")
        else:
            out.append(ch)
    return "".join(out).casefold()


def misread_options(options: Sequence[str]) -> list[str]:
    """Why some options of a reply poll could not be told apart by REPLY_RULE (empty when all can)."""
    folded = [" ".join(_WORDS.findall(_folded(o))) for o in options]
    out = []
    if len(set(folded)) != len(folded):
        out.append("two options are the same once case and accents are set aside")
    for i, f in enumerate(folded):
        other = _letter_or_number(f, len(options)) if f else None
        if other is not None and other != i:
            out.append(f"option '{options[i]}' reads as the letter or number of option {label(other)}; reword it")
    return out


def _emoji(text: str) -> set[str]:
    return {ch for ch in text if unicodedata.category(ch) == "So"}


@dataclass(frozen=True)
class Options:
    """A reply poll's options, prepared once for reading many replies."""

    texts: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]
    emoji: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, texts: Sequence[str]) -> Options:
        words = tuple(tuple(_WORDS.findall(_folded(t))) for t in texts)
        own = [_emoji(t) for t in texts]
        shared = {e for i, s in enumerate(own) for e in s if any(e in o for j, o in enumerate(own) if j != i)}
        return cls(tuple(texts), words, tuple(frozenset(s - shared) for s in own))


def read_vote(text: str | None, options: Options) -> int | None:
    """The option (0-based) a reply votes for, or None when it reads as no vote or as two (see REPLY_RULE)."""
    if not text:
        return None
    cleaned = _NOISE.sub(" ", text).strip()
    folded = _LEAD.sub("", _folded(cleaned).strip())
    words = _WORDS.findall(folded)
    n = len(options.texts)
    # a letter or number alone, or leading the reply with a mark ("B)", "b - chai", "2!")
    if words:
        first = words[0]
        alone = len(words) == 1
        marked = re.match(rf"^\W*{re.escape(first)}\s*[).:!\-–—]", folded) is not None
        if alone or marked:
            index = _letter_or_number(first, n)
            if index is not None and not _names_another(words[1:], options, index):
                return index
    named = {i for i, option_words in enumerate(options.words) if option_words and _contains(words, option_words)}
    by_emoji = {i for i, own in enumerate(options.emoji) if own & _emoji(cleaned)}
    found = named | by_emoji
    if len(found) == 1:
        return found.pop()
    if found:
        return None  # two options named: neither
    if 0 < len(words) <= 4:  # a short reply with a typo: "hot chocolat"
        return _fuzzy(" ".join(words), options)
    return None


def _letter_or_number(word: str, n: int) -> int | None:
    if len(word) == 1 and "a" <= word <= "z":
        index = ord(word) - ord("a")
        return index if index < n else None
    if word.isdigit():
        index = int(word) - 1
        return index if 0 <= index < n else None
    return None


def _names_another(words: Sequence[str], options: Options, index: int) -> bool:
    return any(i != index and ow and _contains(words, ow) for i, ow in enumerate(options.words))


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    k = len(phrase)
    return any(tuple(words[i : i + k]) == tuple(phrase) for i in range(len(words) - k + 1))


def _fuzzy(reply: str, options: Options) -> int | None:
    from rapidfuzz import fuzz

    scores = [fuzz.ratio(reply, " ".join(ow)) if ow else 0.0 for ow in options.words]
    best = max(scores)
    if best < FUZZY_MIN or scores.count(best) > 1:
        return None
    return scores.index(best)


# --- counting ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A collected reply to a poll: who, when, what."""

    author_id: str
    created_at: datetime
    text: str | None


@dataclass(frozen=True)
class Tally:
    """Votes per option, with what was left out and why."""

    counts: tuple[int, ...]
    replies: int  # replies looked at
    outside_window: int  # replies before the opening or after the close
    unreadable: int  # replies that read as no vote (or as two)
    changed: int  # voters whose last vote differs from an earlier one (the last one counts)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ReadVote:
    """A reply read once: who, when, and the option it votes for (None: no vote, or two)."""

    author_id: str
    created_at: datetime
    text: str
    vote: int | None


def read_votes(replies: Iterable[Reply], options: Sequence[str]) -> list[ReadVote]:
    """Each reply read as a vote (the costly part of counting: done once per reply, however often it is counted)."""
    prepared = Options.of(options)
    return [ReadVote(r.author_id, r.created_at, r.text or "", read_vote(r.text, prepared)) for r in replies]


def tally(votes: Iterable[ReadVote], options: int, *, opens: datetime, closes: datetime) -> Tally:
    """Count read votes by REPLY_RULE: one vote per account, the last readable one within [opens, closes]."""
    last: dict[str, int] = {}
    first: dict[str, int] = {}
    seen = outside = unreadable = 0
    for v in sorted(votes, key=lambda v: (v.created_at, v.author_id, v.text)):  # any order, one answer
        seen += 1
        if not opens <= v.created_at <= closes:
            outside += 1
            continue
        if v.vote is None:
            unreadable += 1
            continue
        first.setdefault(v.author_id, v.vote)
        last[v.author_id] = v.vote
    counts = [0] * options
    for vote in last.values():
        counts[vote] += 1
    changed = sum(1 for author, vote in last.items() if first[author] != vote)
    return Tally(tuple(counts), seen, outside, unreadable, changed)


def count_reply_votes(replies: Iterable[Reply], options: Sequence[str], *, opens: datetime, closes: datetime) -> Tally:
    """Count a reply poll by REPLY_RULE: one vote per account, the last readable vote within [opens, closes]."""
    return tally(read_votes(replies, options), len(options), opens=opens, closes=closes)


# --- results -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionResult:
    label: str  # A, B, … (the letter a reply poll shows)
    text: str
    votes: int
    percent: float  # of all votes counted, 0 when there are none


@dataclass(frozen=True)
class PollResults:
    """One poll's results on one platform at one instant: what every report and the announcement show."""

    options: tuple[OptionResult, ...]
    total: int
    final: bool

    @property
    def leaders(self) -> tuple[OptionResult, ...]:
        """The option(s) with the most votes (several on a tie; none without votes)."""
        if self.total == 0:
            return ()
        top = max(o.votes for o in self.options)
        return tuple(o for o in self.options if o.votes == top)

    @property
    def winner(self) -> str:
        """The winning option's text, "A and B (tie)" on a tie, "no votes" without any."""
        leaders = self.leaders
        if not leaders:
            return "no votes"
        if len(leaders) == 1:
            return leaders[0].text
        return " and ".join(o.text for o in leaders) + " (tie)"

    def summary(self) -> str:
        """One line per option, e.g. "Chai latte 48% (120)"; the order of the options."""
        return "\n".join(f"{o.text} {o.percent:.0f}% ({o.votes})" for o in self.options)

    def variables(self) -> dict[str, object]:
        """What an ``announce_results`` template sees as ``poll``."""
        return {
            "winner": self.winner,
            "winner_percent": round(self.leaders[0].percent) if self.leaders else 0,
            "results": self.summary(),
            "total": self.total,
            "options": [
                {"label": o.label, "text": o.text, "votes": o.votes, "percent": round(o.percent)} for o in self.options
            ],
        }


def results(options: Sequence[str], counts: Sequence[int], *, final: bool) -> PollResults:
    total = sum(counts)
    return PollResults(
        options=tuple(
            OptionResult(label(i), text, votes, 100 * votes / total if total else 0.0)
            for i, (text, votes) in enumerate(zip(options, counts, strict=True))
        ),
        total=total,
        final=final,
    )
