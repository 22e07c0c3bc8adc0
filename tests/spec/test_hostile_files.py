"""Hostile campaign files: each is a located problem in that file within 2 s, and the other campaigns still load."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from socialbot.cli import main
from socialbot.spec.loader import load_paths
from socialbot.spec.yamlsource import MAX_FILE_BYTES
from tests.conftest import one_post_campaign

GOOD = one_post_campaign()

HEADER = """\
campaign:
  id: hostile
  name: Hostile
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-03
  platforms: [sandbox]
"""


def post(text: str) -> str:
    return HEADER + f'posts:\n  - id: p\n    text: "{text}"\n    schedule: {{at: "2026-12-02 09:00"}}\n'


def scheduled(schedule: str, header: str = HEADER) -> str:
    return header + f'posts:\n  - id: p\n    text: "Hi"\n    schedule: {schedule}\n'


def laughs() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return HEADER + "\n".join(lines) + "\n"


HOSTILE = {
    "custom_tag": (HEADER + "posts: !custom [1]\n", "YAML tags such as '!custom' are not allowed"),
    "python_tag": (HEADER + "x: !!python/name:os.system\n", "are not allowed in campaign files"),
    "python_object": (HEADER + "x: !!python/object/apply:os.system ['echo hi']\n", "are not allowed"),
    "alias_bomb": (laughs(), "aliases"),
    "alias_loop": (HEADER + "posts: &loop [*loop]\n", "endless loop"),
    "deep_nesting": (HEADER + "x: " + "[" * 50_000 + "]" * 50_000 + "\n", "nest"),
    "lone_surrogate": (post("bad \\ud800 text"), "surrogate"),
    "string_bomb": (post("{{ 'A' * 3000000000 }}"), "longer than 50,000 characters"),
    "doubling_bomb": (
        post(
            "{% set ns = namespace(s='A' * 40000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}{{ ns.s|length }}"
        ),
        "longer than 50,000 characters",
    ),
    "star_width": (post("{{ '%*d' % (2000000000, 1) }}"), "longer than 50,000 characters"),
    "escape_sequence": (post("\\e[2J\\e[31mred"), "U+001B (ESC)"),
    "nul_escape": (post("a\\x00b"), "U+0000 (NUL)"),
    "rtl_override": (post("gnp.\\u202eexe"), "RIGHT-TO-LEFT OVERRIDE"),
    "template_surrogate": (post("{{ '\\\\ud800' }}"), "lone surrogate"),
    "template_escape": (post("{{ '\\\\x1b[2J' }}"), "U+001B (ESC)"),
    "every_overflow": (scheduled("{every: 99999999999999999999w}"), "longer than ten years"),
    "catch_up_overflow": (
        scheduled('{at: "2026-12-02 09:00", catch_up_within: 99999999999999999999999d}'),
        "longer than ten years",
    ),
    "too_many_occurrences": (scheduled("{every: 10s}"), "more than 10,000 occurrences"),
    "too_many_cron_occurrences": (
        scheduled('{cron: "* * * * *"}', HEADER.replace("2026-12-03", "2027-01-03")),
        "more than 10,000 occurrences",
    ),
    "long_timezone": (scheduled("{every: 1d}", HEADER.replace("UTC", "A" * 100_000)), "unknown timezone"),
    "nul_in_media_path": (
        HEADER + 'posts:\n  - id: p\n    text: "Hi"\n    media: ["a\\x00b.png"]\n    schedule: {every: 1d}\n',
        "U+0000 (NUL)",
    ),
    "loop_bomb": (
        post("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"),
        "more than 0.5 s",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_a_problem_in_that_file_and_the_rest_still_loads(tmp_path, name):
    body, reason = HOSTILE[name]
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "hostile.yaml"
    bad.write_text(body, encoding="utf-8")
    started = time.monotonic()
    result = load_paths([tmp_path])
    elapsed = time.monotonic() - started
    assert [c.id for c in result.campaigns] == ["good"]
    assert result.problems and all(p.file == str(bad) for p in result.problems)
    assert any(reason in p.message for p in result.problems), [p.message for p in result.problems]
    assert elapsed < 10.0  # refused, not a hang (bench/hostile_files.py measures the 2 s target)
    cli = CliRunner().invoke(main, ["validate", str(bad)])
    assert cli.exit_code == 2
    assert "internal error" not in cli.output and "Traceback" not in cli.output
    assert reason in cli.output
    assert len(cli.output) < 5_000  # a located message, not the hostile text echoed back


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(HEADER + "# " + "x" * (MAX_FILE_BYTES + 10) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = load_paths([big])
    assert time.monotonic() - started < 0.5
    [problem] = result.problems
    assert "limited to 512 KiB" in problem.message


def test_a_file_just_under_the_size_limit_is_judged_without_hanging(tmp_path):
    items = []
    size = len(HEADER)
    n = 0
    while size < MAX_FILE_BYTES - 200:
        line = f"  k{n}: [a, b, c, {{d: e, f: g}}]\n"
        items.append(line)
        size += len(line)
        n += 1
    path = tmp_path / "huge.yaml"
    path.write_text(HEADER + "junk:\n" + "".join(items), encoding="utf-8")
    assert path.stat().st_size <= MAX_FILE_BYTES
    started = time.monotonic()
    cli = CliRunner().invoke(main, ["validate", str(path)])
    assert time.monotonic() - started < 10.0  # not a hang; bench/hostile_files.py measures the 2 s target
    assert cli.exit_code == 2 and str(path) in cli.output


def test_an_unreadable_file_is_a_problem_of_that_file(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    locked = tmp_path / "locked.yaml"
    locked.mkdir()  # a directory named like a campaign file cannot be read as one
    result = load_paths([tmp_path / "good.yaml", locked])
    assert [c.id for c in result.campaigns] == ["good"]
    assert result.problems[0].file == str(locked)
