"""Prints FAQ matching throughput and what a one-hour Q&A session with 1,000 questions costs in API calls.

    .venv/bin/python bench/qa.py          (local stand-ins of X and Reddit on 127.0.0.1; no network)

1. Matching: 1,000 questions against a 500-entry knowledge base (3 ways of asking each) with
   ``domain.qa.Faq.match``, beside rapidfuzz's ``process.extractOne`` over the same pre-folded variants
   (the least any matching can do: one scorer call per variant).
2. API calls: a session opens on X and on Reddit (the real tweepy and praw against the stand-ins);
   1,000 people ask a question each over its hour (a tenth of them the FAQ question, grouped as one)
   while one daemon process runs its jobs every 2 minutes, as live; then its last look after the close.
   The calls are printed by purpose beside the least the APIs allow for reading 1,000 replies once (X:
   100 a search page; Reddit: 500 inline, then 100 per "more") and posting what was answered.
"""

from __future__ import annotations

import math
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from socialbot.cli import main as cli  # noqa: E402
from socialbot.domain.clock import VirtualClock  # noqa: E402
from socialbot.domain.qa import Faq, FaqEntry, fold  # noqa: E402
from tests.fakes.reddit_api import RedditApiStandIn  # noqa: E402
from tests.fakes.x_api import XApiStandIn  # noqa: E402

QUESTIONS = 1000
ENTRIES = 500
TOPICS = ["shipping", "returns", "sizes", "wool", "colours", "repairs", "gift cards", "discounts", "stores", "washing"]
PLACES = ["Portugal", "Germany", "Japan", "Chile", "Canada", "Kenya", "Norway", "Peru", "Italy", "Vietnam"]


def knowledge_base() -> list[FaqEntry]:
    rng = random.Random(7)
    out = []
    for n in range(ENTRIES):
        topic, place = TOPICS[n % len(TOPICS)], PLACES[(n // len(TOPICS)) % len(PLACES)]
        out.append(
            FaqEntry(
                (
                    f"Do you do {topic} for {place} number {n}?",
                    f"{topic} {place} {n}?",
                    f"How about {topic} in {place} ({n})",
                ),
                (f"Answer {n}: yes, {topic} in {place} works.",),
            )
        )
    rng.shuffle(out)
    return out


def matching() -> None:
    from rapidfuzz import fuzz, process

    faq = Faq(knowledge_base())
    rng = random.Random(3)
    questions = [
        f"hi! {rng.choice(TOPICS)} to {rng.choice(PLACES)} please, order {rng.randint(0, 999)}?"
        for _ in range(QUESTIONS)
    ]
    start = time.perf_counter()
    for q in questions:
        faq.match(q)
    ours = time.perf_counter() - start
    variants = [fold(v) for e in faq.entries for v in e.questions]
    folded = [fold(q) for q in questions]
    start = time.perf_counter()
    for q in folded:
        process.extractOne(q, variants, scorer=fuzz.token_set_ratio)
    floor = time.perf_counter() - start
    print(f"FAQ matching, {QUESTIONS:,} questions against {ENTRIES} entries ({len(variants):,} ways of asking):")
    print(
        f"  Faq.match: {QUESTIONS / ours:,.0f} questions/s | rapidfuzz extractOne alone: {QUESTIONS / floor:,.0f}/s "
        f"(ours takes {ours / floor:.2f}x as long)"
    )


CAMPAIGN = """
campaign: {{id: bench-ama, name: Bench AMA, timezone: UTC, starts: 2026-11-30, ends: 2026-12-05, platforms: [{platform}]}}
qa:
  - id: ama
    opening: "Ask us anything for the next hour!"
    opens: "2026-12-01 09:00"
    runs: 1h
    faq: ../kb/faq.yaml
    reddit: {{subreddit: bench}}
"""
FAQ = '- questions: ["Do you ship to Portugal?"]\n  answer: ["Yes, everywhere in the EU.", "We do ship to the EU."]\n'


def session(platform: str) -> tuple[dict[str, int], int, int]:
    """(API calls by purpose, questions stored, answers posted) of one session with QUESTIONS questions, run by
    one daemon process (``Daemon.run_once`` every 2 minutes on a virtual clock, as the scheduler would)."""
    import json

    from socialbot.app import App
    from socialbot.run.daemon import Daemon
    from socialbot.settings import Settings

    clock = VirtualClock(datetime(2026, 12, 1, 9, 0, 30, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "campaigns").mkdir()
        (root / "kb").mkdir()
        (root / "kb" / "faq.yaml").write_text(FAQ, encoding="utf-8")
        (root / "campaigns" / "ama.yaml").write_text(CAMPAIGN.format(platform=platform), encoding="utf-8")
        stand_in, env = _stand_in(platform, clock, root)
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            settings = Settings(_env_file=None)
            daemon = Daemon(settings, app=App(settings, clock=clock, sleep=lambda _s: None))
            daemon.start()
            daemon.run_once()  # the opening goes out
            opening = _opening(stand_in, platform)
            stand_in.calls.clear()
            for minute in range(0, 60, 2):  # 1,000 questions over the hour, the daemon's jobs every 2 minutes
                first, last = QUESTIONS * minute // 60, QUESTIONS * (minute + 2) // 60
                for n in range(first, last):
                    text = "Do you ship to Portugal?" if n % 10 == 0 else f"Question {n}: what about colour {n}?"
                    _ask(stand_in, platform, opening, n, text)
                clock.advance(minutes=2)
                daemon.run_once()
            for _ in range(3):  # the last look after the close, and what it queued
                clock.advance(minutes=5)
                daemon.run_once()
            daemon.close()
            calls: dict[str, int] = {}
            for endpoint, n in stand_in.calls.items():
                purpose = _purpose(platform, endpoint)
                calls[purpose] = calls.get(purpose, 0) + n
            listed = CliRunner().invoke(cli, ["qa", "list", "ama", "--format", "json"], obj={"clock": clock})
            figures = json.loads(listed.stdout)["figures"]
            return calls, int(figures["questions"]), int(figures["auto"]) + int(figures["human"])
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            stand_in.stop()


def _purpose(platform: str, endpoint: str) -> str:
    """What a call was for: reading the replies, the askers' profiles, the account's own posts, posting, other."""
    if platform == "x":
        if "search" in endpoint:
            return "replies"
        if endpoint.startswith("POST /2/tweets"):
            return "posts"
        if "/2/users/" in endpoint and "tweets" in endpoint:
            return "own posts"
        if "/2/users" in endpoint:
            return "profiles"
        return "other"
    if endpoint in ("/comments/{id}", "/api/morechildren"):
        return "replies"
    if endpoint == "/user/{name}/about":
        return "profiles"
    if endpoint in ("/user/{name}/submitted", "/user/{name}/comments"):
        return "own posts"
    if endpoint in ("/api/comment", "/api/submit"):
        return "posts"
    return "other"


def _stand_in(platform: str, clock: VirtualClock, root: Path):
    base = {
        "SOCIALBOT_DATABASE_URL": f"sqlite:///{root / 'live.db'}",
        "SOCIALBOT_CAMPAIGNS_DIR": str(root / "campaigns"),
    }
    if platform == "x":
        x = XApiStandIn(clock=lambda: clock.now.timestamp())
        return x, base | {
            "SOCIALBOT_X_API_KEY": x.api_key,
            "SOCIALBOT_X_API_SECRET": x.api_secret,
            "SOCIALBOT_X_ACCESS_TOKEN": x.access_token,
            "SOCIALBOT_X_ACCESS_TOKEN_SECRET": x.access_token_secret,
            "SOCIALBOT_X_API_URL": x.base_url,
            "SOCIALBOT_X_UPLOAD_URL": x.base_url,
        }
    r = RedditApiStandIn(clock=lambda: clock.now.timestamp())
    r.add_subreddit("bench")
    return r, base | {
        "SOCIALBOT_REDDIT_CLIENT_ID": r.client_id,
        "SOCIALBOT_REDDIT_CLIENT_SECRET": r.client_secret,
        "SOCIALBOT_REDDIT_USERNAME": r.username,
        "SOCIALBOT_REDDIT_PASSWORD": "standin-password",
        "SOCIALBOT_REDDIT_OAUTH_URL": r.base_url,
        "SOCIALBOT_REDDIT_URL": r.base_url,
        "SOCIALBOT_REDDIT_SHORT_URL": r.base_url,
    }


def _opening(stand_in, platform: str) -> str:
    if platform == "x":
        return next(t for t in stand_in.tweets if stand_in.tweets[t]["author_id"] == stand_in.account_id)
    return next(t.name for t in stand_in.thing_list() if t.kind == "t3")


def _ask(stand_in, platform: str, opening: str, n: int, text: str) -> None:
    if platform == "x":
        user = stand_in.add_user(f"asker{n}")
        stand_in.reply(opening, user, text)
    else:
        stand_in.comment(opening, f"asker{n}", text)


def _is_post(platform: str, endpoint: str) -> bool:
    return "POST /2/tweets" in endpoint if platform == "x" else endpoint in ("/api/comment", "/api/submit")


def main() -> None:
    matching()
    print(
        f"A one-hour Q&A session, {QUESTIONS:,} questions from {QUESTIONS:,} people, the daemon's jobs every 2 minutes:"
    )
    least = {"x": math.ceil(QUESTIONS / 100), "reddit": 1 + math.ceil(max(0, QUESTIONS - 500) / 100)}
    for platform in ("x", "reddit"):
        calls, stored, answered = session(platform)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))
        print(f"  {platform:<7} {stored:,} questions stored, {answered} answered; {sum(calls.values())} calls: {shown}")
        print(
            f"          least the API allows: reading {QUESTIONS:,} replies once {least[platform]}, posting "
            f"{answered} answer(s) {answered}; profiles: " + ("100 a call" if platform == "x" else "1 a person")
        )


if __name__ == "__main__":
    main()
