"""Every broken campaign in tests/spec/broken/ is rejected by `socialbot validate` with a located, actionable message."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import main

BROKEN = Path(__file__).parent / "broken"

# file -> a phrase its message must contain (the mistake and, where there is one, the fix)
EXPECTED = {
    "bad_blackout_date.yaml": "'christmas' is not a date; write YYYY-MM-DD",
    "bad_campaign_id.yaml": "'Winter Launch' is not a valid id",
    "bad_catch_up_within.yaml": "'soon' is not a duration; write e.g. 30m",
    "bad_cron.yaml": "invalid cron expression '0 25 * * *'",
    "bad_cron_fields.yaml": "use five fields",
    "bad_date.yaml": "'2026-13-01' is not a date",
    "bad_date_words.yaml": "'next friday' is not a date",
    "bad_every.yaml": "'0m' must be longer than zero",
    "bad_quiet_hours.yaml": "'25:00' is not a clock time",
    "bad_reply_settings.yaml": "'nobody' is not allowed here; use 'everyone', 'following' or 'mentionedUsers'",
    "count_zero.yaml": "schedule.count: must be at least 1, got 0",
    "duplicate_keys.yaml": "duplicate key 'timezone' (first given on line 5)",
    "duplicate_post_ids.yaml": "post id 'hello' is already used by posts[0] (line 10)",
    "empty.yaml": "the file is empty",
    "ends_before_starts.yaml": "campaign.ends: ends (2026-11-14) is before starts (2026-12-01)",
    "env_in_text.yaml": "environment references are only allowed in campaign.account",
    "env_unset_account.yaml": "environment variable SOCIALBOT_TEST_UNSET_PROFILE is not set",
    "jinja_syntax_error.yaml": "template error on its line 1",
    "key_typo_defaults.yaml": "unknown key 'catchup_within' — did you mean 'catch_up_within'?",
    "key_typo_schedule.yaml": "unknown key 'shedule' — did you mean 'schedule'?",
    "key_typo_top_level.yaml": "unknown key 'post' — did you mean 'posts'?",
    "missing_campaign_section.yaml": "required key 'campaign' is missing",
    "missing_media.yaml": "media file 'media/does-not-exist.png' not found",
    "missing_name.yaml": "required key 'name' is missing",
    "missing_schedule.yaml": "required key 'schedule' is missing",
    "no_body.yaml": "give exactly one of 'text', 'variants' or 'thread'",
    "poll_too_many_options.yaml": "5 options; x polls take 2 to 4",
    "platform_listed_twice.yaml": "a platform is listed twice",
    "post_platform_not_in_campaign.yaml": "reddit is not among the campaign's platforms (x)",
    "reddit_link_without_url.yaml": "a link post needs 'url'",
    "reddit_no_subreddit.yaml": "a Reddit post needs 'reddit: {subreddit: NAME}'",
    "reddit_subreddit_prefix.yaml": "'r/test' is not a subreddit name; write it without 'r/'",
    "reddit_title_too_long.yaml": "title is 10 characters over Reddit's 300",
    "schedule_bad_at.yaml": "'2026-12-02 9am' is not a time; write it as YYYY-MM-DD HH:MM",
    "schedule_no_occurrence.yaml": "this schedule produces no occurrence between the campaign's starts and ends",
    "schedule_two_kinds.yaml": "give exactly one of 'at', 'cron' or 'every' (found at, cron)",
    "single_variant.yaml": "needs at least 2 entries, got 1; for a single text use 'text'",
    "tab_indentation.yaml": "tab character is used for indentation; YAML needs spaces",
    "text_and_thread.yaml": "give exactly one of 'text', 'variants' or 'thread' (found text, thread)",
    "timezone_typo.yaml": "unknown timezone 'Europe/Madird' — did you mean 'Europe/Madrid'?",
    "timezone_unknown.yaml": "unknown timezone 'Mars/Olympus'; use an IANA city zone such as Europe/Madrid",
    "too_many_media_reddit.yaml": "2 media files; reddit allows at most 1",
    "too_many_thread_parts.yaml": "26 parts; x threads hold at most 25",
    "top_level_list.yaml": "a campaign file is a mapping with a 'campaign:' key, not a list",
    "top_level_scalar.yaml": "a campaign file is a mapping with a 'campaign:' key, not a single value",
    "two_documents.yaml": "one campaign per file: remove the second YAML document",
    "unknown_countdown.yaml": "no countdown named 'launch' for days_to.launch; add it under campaign.countdowns",
    "unknown_platform_twitter.yaml": "unknown platform 'twitter'; use one of x, reddit, sandbox — did you mean 'x'?",
    "unknown_template_variable.yaml": "'days_left' is undefined; the variables are: campaign, date, days_to",
    "unsupported_media_type.yaml": "'.txt' is not a supported media type",
    "wrong_type_count.yaml": "expected a whole number, got 'many'",
    "wrong_type_nsfw.yaml": "expected true or false, got 'maybe'",
    "wrong_type_platforms.yaml": "campaign.platforms: expected a list, got 'x'",
    "wrong_type_posts.yaml": "posts: expected a list, got dict",
    "wrong_type_text.yaml": "posts[0].text: expected text, got dict",
    "x_text_too_long.yaml": "text is 20 characters over x's 280 limit",
    "x_text_too_long_cjk.yaml": "text is 2 characters over x's 280 limit",
    "yaml_bad_indent.yaml": "YAML syntax error",
    "yaml_syntax_error.yaml": "YAML syntax error",
}

# expected line of the (first) message, for files where the line is the point of the test
EXPECTED_LINE = {
    "duplicate_keys.yaml": 6,
    "duplicate_post_ids.yaml": 14,
    "ends_before_starts.yaml": 7,
    "key_typo_schedule.yaml": 12,
    "tab_indentation.yaml": 11,
    "timezone_typo.yaml": 5,
    "two_documents.yaml": 15,
    "x_text_too_long.yaml": 11,
}


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path)])
    return result.exit_code, result.output


def assert_rejected(path: Path, phrase: str, *, messages: int | None = None) -> str:
    code, output = validate(path)
    assert code == 2, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert re.search(rf"{re.escape(str(path))}:\d+", output), f"no file:line in\n{output}"
    assert phrase in output, output
    if messages is not None:
        assert output.count("error: ") == messages, output
    return output


def test_corpus_is_big_and_every_file_is_in_the_table():
    files = sorted(p.name for p in BROKEN.glob("*.yaml"))
    assert len(files) >= 30
    assert files == sorted(EXPECTED), "add new broken files to EXPECTED (and remove deleted ones)"
    for name in files:
        first = (BROKEN / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Broken: "), f"{name} must start with a comment naming its mistake"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_rejected_with_a_located_message(name, monkeypatch):
    monkeypatch.delenv("SOCIALBOT_TEST_UNSET_PROFILE", raising=False)
    path = BROKEN / name
    output = assert_rejected(path, EXPECTED[name])
    if name in EXPECTED_LINE:
        assert f"{path}:{EXPECTED_LINE[name]}:" in output, output


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(200), "not a UTF-8 text file (is it binary?)"),
        (b"campaign:\n  id: x\x00\x01\x02", "contains NUL bytes (is it binary?)"),
        ("campaign:\n  name: Caf\u00e9\n".encode("latin-1"), "not a UTF-8 text file"),
    ],
    ids=["png-garbage", "nul-bytes", "latin-1"],
)
def test_binary_or_non_utf8_file_is_rejected(tmp_path, content, phrase):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(content)
    assert_rejected(path, phrase, messages=1)


def test_nul_bytes_are_located_on_their_line(tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"campaign:\n  id: a\n  name: b\x00\n")
    _, output = validate(path)
    assert f"{path}:3:" in output


def test_all_mistakes_of_one_file_are_reported_at_once(tmp_path):
    path = tmp_path / "three.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            campaign:
              id: three-mistakes
              name: Three mistakes
              timezone: Europe/Madird
              starts: 2026-12-01
              ends: 2026-12-14
              platforms: [twitter]
            posts:
              - id: hello
                text: "Hello"
                shedule:
                  at: "2026-12-02 09:00"
            """
        ),
        encoding="utf-8",
    )
    output = assert_rejected(path, "did you mean 'Europe/Madrid'?", messages=3)
    assert f"{path}:4:" in output and "did you mean 'Europe/Madrid'?" in output
    assert f"{path}:7:" in output and "unknown platform 'twitter'" in output
    assert f"{path}:11:" in output and "did you mean 'schedule'?" in output
    assert "3 problem(s) in 1 file(s)" in output


def test_checks_report_every_post_of_a_file(tmp_path):
    path = tmp_path / "checks.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            campaign: {{id: many-checks, name: Checks, timezone: UTC, starts: 2026-12-01, ends: 2026-12-14, platforms: [x]}}
            posts:
              - {{id: long, text: "{"b" * 290}", schedule: {{at: "2026-12-02 09:00"}}}}
              - {{id: gone, text: "Hi", media: [nope.png], schedule: {{at: "2026-12-02 09:00"}}}}
              - {{id: late, text: "Hi", schedule: {{at: "2027-02-02 09:00"}}}}
            """
        ),
        encoding="utf-8",
    )
    output = assert_rejected(path, "text is 10 characters over x's 280 limit", messages=3)
    assert f"{path}:3:" in output
    assert f"{path}:4:" in output and "media file 'nope.png' not found" in output
    assert f"{path}:5:" in output and "produces no occurrence" in output


def test_duplicate_campaign_ids_across_files_name_both_files(tmp_path):
    body = textwrap.dedent(
        """\
        # same id in two files
        campaign:
          id: shared-id
          name: {name}
          timezone: UTC
          starts: 2026-12-01
          ends: 2026-12-14
          platforms: [sandbox]
        posts:
          - id: hello
            text: "Hello"
            schedule: {{at: "2026-12-02 09:00"}}
        """
    )
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(body.format(name="First"), encoding="utf-8")
    second.write_text(body.format(name="Second"), encoding="utf-8")
    code, output = validate(tmp_path)
    assert code == 2, output
    assert f"{second}:3:" in output
    assert f"campaign id 'shared-id' is already used by {first}:3" in output
    assert "ids must be unique across files" in output


def test_a_missing_path_is_reported_not_raised(tmp_path):
    code, output = validate(tmp_path / "nope.yaml")
    assert code == 2
    assert "no such file or directory" in output
    assert "Traceback" not in output
