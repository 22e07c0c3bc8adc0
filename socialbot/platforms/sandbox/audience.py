"""The sandbox's simulated audience: seeded personas whose reactions to each post decay over the following hours."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from socialbot.domain.values import InteractionKind

REPLIES = (
    "Love this! 😍",
    "Totally agree with you.",
    "Hot chocolate, always.",
    "Tea for me, thanks!",
    "Can you ship to Portugal?",
    "When does the sale start?",
    "This made my day.",
    "Layers are the answer 🧣",
    "Where can I buy it?",
    "Great tip, trying it tomorrow.",
    "Is the wool really recycled?",
    "More of this please!",
    "I've been waiting for this 🙌",
    "Not for me, but nice idea.",
    "Do you have it in green?",
)
SPAM = ("Click here for free followers!!! 🔥", "DM me for crypto gains 🚀🚀", "Earn $500/day from home, link in bio")
QUESTIONS = (  # what the crowd asks in a Q&A session: some of it twice, in other words; some of it in a FAQ
    "Do you ship to Portugal?",
    "Can you ship to Portugal?",
    "do you ship to portugal??",
    "Is the wool really recycled?",
    "Is the wool recycled?",
    "When does the sale start?",
    "When is the sale?",
    "How long does delivery take?",
    "How long does shipping take to Germany?",
    "What is your return policy?",
    "Can I return it if it doesn't fit?",
    "Are the free repairs for real?",
    "Do you have it in green?",
    "Who designs your patterns?",
    "What inspired the winter line?",
    "Do you make kids' sizes?",
    "Will there be a vegan option?",
    "How do I wash the scarf?",
)
HASHTAG_POSTS = (
    "My cosy corner this morning {tag}",
    "New scarf, who dis {tag}",
    "Best way to spend a snowy day {tag}",
    "Finally got mine! {tag}",
    "Hot drink + blanket = {tag}",
)


LAST_REACTION_SECONDS = 48 * 3600  # nobody reacts to a post later than this (plus 5 s) after it went out
MAX_DELAY = timedelta(seconds=LAST_REACTION_SECONDS + 5)


class Habit(StrEnum):
    LURKER = "lurker"  # likes
    REPLIER = "replier"  # replies, sometimes likes
    REPOSTER = "reposter"  # reposts and quotes
    CREATOR = "creator"  # posts with the campaign hashtag, mentions the brand
    SPAMMY = "spammy"  # replies spam; new accounts with few followers
    NEWCOMER = "newcomer"  # new account, occasionally likes or replies


HABIT_MIX = (
    (Habit.LURKER, 0.45),
    (Habit.REPLIER, 0.2),
    (Habit.REPOSTER, 0.12),
    (Habit.CREATOR, 0.1),
    (Habit.SPAMMY, 0.03),
    (Habit.NEWCOMER, 0.1),
)


@dataclass(frozen=True)
class Persona:
    id: str
    username: str
    habit: Habit
    activity: float  # probability of reacting to any one post
    account_age_days: int
    followers: int
    following: int
    verified: bool


@dataclass(frozen=True)
class Reaction:
    """One simulated reaction: who, what, how long after the post, and any text."""

    number: int
    persona: Persona
    kind: InteractionKind
    delay: timedelta
    text: str | None = None


@dataclass(frozen=True)
class NativeVotes:
    """The votes of a native poll: (seconds after the post, option) in time order."""

    options: int
    votes: tuple[tuple[float, int], ...]

    def until(self, elapsed: timedelta) -> list[int]:
        """Votes per option cast by ``elapsed`` after the post."""
        counts = [0] * self.options
        limit = elapsed.total_seconds()
        for seconds, option in self.votes:
            if seconds > limit:
                break
            counts[option] += 1
        return counts


def _vote_text(choice: int, options: tuple[str, ...], rng: random.Random) -> str:
    letter = "ABCDEFGHIJ"[choice]
    forms = (
        letter,
        letter.lower(),
        f"{letter}!",
        f"Option {letter}",
        f"{choice + 1}",
        options[choice],
        f"{options[choice].lower()} for sure",
        f"{letter}) {options[choice]}",
        f"I vote {letter.lower()}",
    )
    return rng.choice(forms)


def stable_seed(*parts: object) -> int:
    """A seed that does not depend on Python's hash randomisation."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Audience:
    """A deterministic crowd: the same seed and post id always give the same reactions."""

    def __init__(self, *, seed: int, size: int = 400, half_life: timedelta = timedelta(hours=2)) -> None:
        self.seed = seed
        self.half_life = half_life
        rng = random.Random(stable_seed("audience", seed))
        habits, weights = zip(*HABIT_MIX, strict=True)
        self.personas: list[Persona] = []
        for n in range(size):
            habit = rng.choices(habits, weights)[0]
            new = habit in (Habit.SPAMMY, Habit.NEWCOMER)
            self.personas.append(
                Persona(
                    id=str(7_000_000 + n),
                    username=f"{habit.value}_{n:03d}",
                    habit=habit,
                    activity={Habit.LURKER: 0.55, Habit.REPLIER: 0.5, Habit.REPOSTER: 0.45, Habit.CREATOR: 0.35}.get(
                        habit, 0.2
                    ),
                    account_age_days=rng.randint(1, 20) if new else rng.randint(60, 4000),
                    followers=rng.randint(0, 15) if new else int(rng.paretovariate(1.2) * 40),
                    following=rng.randint(50, 900),
                    verified=not new and rng.random() < 0.03,
                )
            )
        self.by_id = {p.id: p for p in self.personas}

    def reactions(
        self,
        post_id: str,
        *,
        hashtags: tuple[str, ...] = (),
        ballot: tuple[str, ...] | None = None,
        questions: bool = False,
    ) -> list[Reaction]:
        """Everything the crowd will ever do about ``post_id``, ordered by delay (a function of seed and id only).

        Under a reply poll (``ballot``: its options) people also vote, each in their own way of writing it
        (see ``votes``); the reactions to any other post are the same whether or not polls exist.
        """
        rng = random.Random(stable_seed("post", self.seed, post_id))
        boost = 1.0 + (stable_seed("question", post_id) % 5) / 10  # some posts simply draw more replies
        tau = self.half_life.total_seconds() / math.log(2)
        draw, expovariate, rate = rng.random, rng.expovariate, 1 / tau
        kinds_of, text_of = self._kinds, self._text
        out: list[tuple[float, str, InteractionKind, Persona, str | None]] = []  # sorted, then numbered
        for persona in self.personas:
            if draw() >= persona.activity:
                continue
            for kind in kinds_of(persona, rng, boost=boost, hashtags=hashtags):
                seconds = min(expovariate(rate), LAST_REACTION_SECONDS) + 5
                out.append((seconds, persona.id, kind, persona, text_of(persona, kind, rng, hashtags)))
        if ballot:
            out.extend(self.votes(post_id, ballot, rate=rate))
        if questions:
            out.extend(self.questions(post_id, rate=rate))
        out.sort(key=lambda r: r[:3])  # by delay, then person and kind
        return [Reaction(i, p, k, timedelta(seconds=d), t) for i, (d, _, k, p, t) in enumerate(out, 1)]

    def votes(
        self, post_id: str, options: tuple[str, ...], *, rate: float
    ) -> list[tuple[float, str, InteractionKind, Persona, str | None]]:
        """Replies that vote in a reply poll: a third of the crowd, written as people do ("B", "chai latte!",
        "Option 2", "🅱️"), some changing their mind later; like any reaction, some come after the close."""
        rng = random.Random(stable_seed("votes", self.seed, post_id))
        weights = [rng.random() ** 2 + 0.05 for _ in options]  # some options are simply more popular
        out: list[tuple[float, str, InteractionKind, Persona, str | None]] = []
        for persona in self.personas:
            if persona.habit == Habit.SPAMMY or rng.random() >= 0.33:
                continue
            seconds = min(rng.expovariate(rate), LAST_REACTION_SECONDS) + 5
            choice = rng.choices(range(len(options)), weights)[0]
            out.append((seconds, persona.id, InteractionKind.REPLY, persona, _vote_text(choice, options, rng)))
            if rng.random() < 0.08:  # a change of mind: the last vote counts
                later = min(seconds + rng.expovariate(rate), LAST_REACTION_SECONDS) + 5
                other = rng.choice([i for i in range(len(options)) if i != choice])
                out.append((later, persona.id, InteractionKind.REPLY, persona, _vote_text(other, options, rng)))
        return out

    def questions(self, post_id: str, *, rate: float) -> list[tuple[float, str, InteractionKind, Persona, str | None]]:
        """Questions asked under a Q&A opening: a fifth of the crowd asks, faster than it reacts to a post."""
        rng = random.Random(stable_seed("questions", self.seed, post_id))
        out: list[tuple[float, str, InteractionKind, Persona, str | None]] = []
        for persona in self.personas:
            if persona.habit == Habit.SPAMMY or rng.random() >= 0.2:
                continue
            seconds = min(rng.expovariate(rate * 3), LAST_REACTION_SECONDS) + 5
            out.append((seconds, persona.id, InteractionKind.REPLY, persona, rng.choice(QUESTIONS)))
        return out

    def poll_votes(self, post_id: str, *, options: int, duration: timedelta) -> NativeVotes:
        """The votes the crowd casts in a native poll: about a third of it, most of them early."""
        rng = random.Random(stable_seed("native-poll", self.seed, post_id))
        weights = [rng.random() ** 2 + 0.05 for _ in range(options)]
        window = duration.total_seconds()
        rate = 1 / max(60.0, min(self.half_life.total_seconds(), window / 4))
        votes = sorted(
            (min(rng.expovariate(rate), window), rng.choices(range(options), weights)[0])
            for persona in self.personas
            if rng.random() < 0.35
        )
        return NativeVotes(options, tuple(votes))

    @staticmethod
    def _kinds(
        persona: Persona, rng: random.Random, *, boost: float, hashtags: tuple[str, ...]
    ) -> list[InteractionKind]:
        k = InteractionKind
        habit = persona.habit
        if habit == Habit.LURKER:
            return [k.LIKE]
        if habit == Habit.REPLIER:
            return [k.REPLY, k.LIKE] if rng.random() < 0.5 * boost else [k.REPLY]
        if habit == Habit.REPOSTER:
            return [k.REPOST, k.LIKE] if rng.random() < 0.7 else [k.QUOTE]
        if habit == Habit.CREATOR:
            kinds = [k.LIKE]
            if hashtags and rng.random() < 0.6:
                kinds.append(k.HASHTAG)
            if rng.random() < 0.3:
                kinds.append(k.MENTION)
            return kinds
        if habit == Habit.SPAMMY:
            return [k.REPLY]
        return [k.LIKE] if rng.random() < 0.7 else [k.REPLY]

    @staticmethod
    def _text(persona: Persona, kind: InteractionKind, rng: random.Random, hashtags: tuple[str, ...]) -> str | None:
        if kind in (InteractionKind.LIKE, InteractionKind.REPOST):
            return None
        if persona.habit == Habit.SPAMMY:
            return rng.choice(SPAM)
        if kind == InteractionKind.HASHTAG:
            return rng.choice(HASHTAG_POSTS).format(tag=hashtags[0] if hashtags else "")
        if kind == InteractionKind.MENTION:
            return "Shout-out to @brand for the cosiest launch"
        return rng.choice(REPLIES)

    def add_persona(self, persona: Persona) -> None:
        """A person from outside the crowd (tests, rehearsals that script a reply)."""
        self.personas.append(persona)
        self.by_id[persona.id] = persona

    def account_created(self, persona: Persona, *, epoch: datetime) -> datetime:
        """When the persona's account was made, counted back from the world's ``epoch`` (its first post)."""
        return epoch - timedelta(days=persona.account_age_days)
