"""`socialbot validate` on files with raw control bytes, tags and huge values: one located problem, input cut short."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import main
from tests.conftest import one_post_campaign

CAMPAIGN = one_post_campaign("review", "Revue d'été ✓")


def validate(tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    """Write ``text`` as a campaign file, validate it through the CLI; (the file, its error lines)."""
    path = tmp_path / "review.yaml"
    path.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return path, [line for line in result.output.splitlines() if line.startswith("error:")]


def with_line(old: str, new: str) -> str:
    assert old in CAMPAIGN
    return CAMPAIGN.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "column", "code"),
    [
        (with_line('text: "Hello"', 'text: "He\x01llo"'), 10, 14, "U+0001"),  # after a line of accented letters
        (with_line("    text:", "    te\x1bxt:"), 10, 7, "U+001B"),  # raw ESC inside a key
        (
            with_line('text: "Hello"', 'text: "😀 He\x02llo\x02"'),
            10,
            16,
            "U+0002",
        ),  # the first; a column is a character
    ],
)
def test_a_raw_control_byte_is_reported_at_its_line_and_column(tmp_path, text, line, column, code):
    path, errors = validate(tmp_path, text)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {path}:{line}:{column}: ")
    assert code in errors[0] and "delete it" in errors[0]
    assert "position" not in errors[0] and "<unicode string>" not in errors[0]


def test_an_escaped_esc_in_a_mapping_key_is_reported_at_that_key(tmp_path):
    text = with_line("  name: Revue d'été ✓", '  name: Revue d\'été ✓\n  "\\e[2Jx": 1') + '"top\\ekey": 1\n'
    path, errors = validate(tmp_path, text)
    esc = [e for e in errors if "U+001B (ESC)" in e]
    assert [e.split(": ", 2)[1].removeprefix(str(path)) for e in esc] == [":4:3", ":13:1"], errors
    assert not any(e.startswith(f"error: {path}:1:1:") for e in errors)


@pytest.mark.parametrize(
    ("old", "new", "where", "shown"),
    [
        ("name: Revue d'été ✓", "name: !custom Demo", ":3:3: campaign.name:", "'!custom'"),
        ("name: Revue d'été ✓", "name: !!python/name:x Demo", ":3:3: campaign.name:", "'!!python/name:x'"),
        (
            "id: review",
            "id: !!python/object/apply:os.system [echo]",
            ":2:3: campaign.id:",
            "'!!python/object/apply:os.system'",
        ),
        ("platforms: [sandbox]", "platforms: [!custom sandbox]", ":7:15: campaign.platforms[0]:", "'!custom'"),
        ("campaign:", "!custom campaign:", ":1:1: campaign:", "'!custom'"),
        ("campaign:", "!custom\ncampaign:", ":1:1:", "'!custom'"),
        ("    schedule: {at:", "    schedule: !!map {at:", None, None),  # a standard tag is fine
    ],
)
def test_a_tag_is_one_problem_with_no_schema_error_after_it(tmp_path, old, new, where, shown):
    text = with_line(old, new)
    path = tmp_path / "review.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    if where is None:
        assert result.exit_code == 0, result.output
        return
    _, errors = validate(tmp_path, text)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {path}{where} YAML tags such as {shown}")
    assert "not allowed in campaign files; remove it" in errors[0]


HUGE = "A" * 500_000


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("id: review", f"id: {HUGE}", "is not a valid id"),
        ("platforms: [sandbox]", f"platforms: [{HUGE}]", "unknown platform"),
        ("starts: 2026-12-01", f"starts: {HUGE}", "is not a date"),
        ('schedule: {at: "2026-12-02 09:00"}', f'schedule: {{cron: "{HUGE}"}}', "invalid cron expression"),
        ("name: Revue d'été ✓", f"name: Demo\n  account: '${{{HUGE}}}'", "environment variable"),
        ("name: Revue d'été ✓", f"name: !{HUGE} Demo", "YAML tags such as"),
        ("name: Revue d'été ✓", f"name: Demo\n  ? {HUGE}\n  : 1", "unknown key"),
    ],
)
def test_a_huge_value_is_echoed_cut_to_about_a_hundred_characters(tmp_path, old, new, says):
    path, errors = validate(tmp_path, with_line(old, new))
    [error] = [e for e in errors if says in e]
    assert "A" * 98 + "…" in error and "A" * 100 not in error, error[:300]
    assert len(error) < len(str(path)) + 400
    assert sum(len(e) for e in errors) < 2_000


def test_a_duplicate_huge_key_is_named_short(tmp_path):
    text = CAMPAIGN + f"? {HUGE[:200_000]}\n: 1\n? {HUGE[:200_000]}\n: 2\n"
    path, errors = validate(tmp_path, text)
    [duplicate] = [e for e in errors if "duplicate key" in e]
    assert duplicate.startswith(f"error: {path}:14:3: ")
    assert "A" * 99 + "…" in duplicate and len(duplicate) < len(str(path)) + 400


def test_a_tagged_list_key_is_refused_and_its_neighbours_are_still_checked(tmp_path):
    text = with_line("  platforms: [sandbox]", "  platforms: [sandbox]\n  !x [a]: 1\n  bogus: 2")
    path, errors = validate(tmp_path, text)
    assert [e.split(": ", 2)[1].removeprefix(str(path)) for e in errors] == [":8:3", ":9:3"], errors
    assert "YAML tags such as '!x'" in errors[0] and "unknown key 'bogus'" in errors[1]


def test_forty_thousand_unknown_keys_give_a_hundred_problems_and_a_count_of_the_rest(tmp_path):
    keys = "".join(f"  u{i}: 1\n" for i in range(40_000))
    _path, errors = validate(tmp_path, CAMPAIGN.replace("campaign:\n", "campaign:\n" + keys, 1))
    assert len(errors) == 101
    assert all("unknown key 'u" in e for e in errors[:100])
    assert errors[-1].endswith("… and 39,900 more; fix these first")


def test_the_files_occurrence_total_is_said_once_not_for_every_later_post(tmp_path):
    busy = "".join(
        f'  - id: busy{i}\n    text: "Busy {i}"\n    schedule: {{every: 1m, count: 9000}}\n' for i in range(30)
    )
    year = CAMPAIGN.replace("ends: 2026-12-03", "ends: 2027-12-03")
    _path, errors = validate(tmp_path, year.replace("posts:\n", "posts:\n" + busy, 1))
    totals = [e for e in errors if "the file's posts produce more than 20,000 occurrences" in e]
    assert len(totals) == 1 and "posts[2].schedule" in totals[0]  # 9,000 + 9,000 fit; the third goes past


def test_a_flow_list_of_sixty_thousand_mappings_is_refused_before_it_is_built(tmp_path):
    flood = "[" + ", ".join("{a: 1}" for _ in range(60_000)) + "]"
    _path, errors = validate(tmp_path, CAMPAIGN + f"extra: {flood}\n")
    assert len(errors) == 1 and errors[0].endswith("the file holds more than 100,000 values; split it")
