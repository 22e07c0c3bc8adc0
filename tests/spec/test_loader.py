"""Loading valid campaigns: the shipped examples, reserved sections, ${VAR} in account, weighted X length."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from socialbot.cli import main
from socialbot.domain.textlimits import over_limit, x_weighted_length
from socialbot.domain.values import REDDIT_CAPABILITIES, X_CAPABILITIES
from socialbot.spec.loader import load_file, load_paths

REPO = Path(__file__).resolve().parents[2]

HEADER = """\
campaign:
  id: loader-test
  name: Loader test
  timezone: Europe/Madrid
  starts: 2026-12-01
  ends: 2026-12-14
  platforms: [x]
"""


def write(tmp_path: Path, body: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def one_post(text: str) -> str:
    return HEADER + f"posts:\n  - id: p\n    text: {text!r}\n    schedule: {{at: '2026-12-02 09:00'}}\n"


def test_validate_shipped_campaigns_directory_exits_0(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["validate", "campaigns/"])
    assert result.exit_code == 0, result.output
    assert "ok: campaigns/demo.yaml (demo-winter-launch" in result.output
    assert "ok: campaigns/example-launch.yaml (spring-launch-example: 6 posts on x, reddit)" in result.output
    assert "error" not in result.output


def test_example_campaign_shows_every_key():
    from socialbot.spec.models import CampaignHeader, Defaults, MediaSpec, Post, RedditOptions, Schedule, XBudget

    campaign, problems = load_file(REPO / "campaigns" / "example-launch.yaml")
    assert problems == [] and campaign is not None
    used: dict[type, set[str]] = {}

    def collect(model) -> None:
        used.setdefault(type(model), set()).update(model.model_fields_set)
        for name in model.model_fields_set:
            value = getattr(model, name)
            for item in value if isinstance(value, list) else [value]:
                if hasattr(item, "model_fields_set"):
                    collect(item)

    collect(campaign.spec)
    for model in (CampaignHeader, Defaults, XBudget, Post, Schedule, MediaSpec, RedditOptions):
        missing = set(model.model_fields) - used.get(model, set())
        assert not missing, f"{model.__name__} keys not shown in example-launch.yaml: {sorted(missing)}"
    assert (REPO / "campaigns" / "media" / "launch.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_reserved_sections_warn_and_still_validate(tmp_path):
    path = write(tmp_path, one_post("Hello") + "ugc:\n  - id: later\ncontests: {}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:" in result.output
    assert "'ugc' is not yet supported: this section is ignored for now" in result.output
    assert "'contests' is not yet supported" in result.output
    assert "ok: " in result.output


def test_env_reference_in_account_resolves(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALBOT_TEST_PROFILE", "brand_eu")
    path = write(tmp_path, HEADER + "  account: ${SOCIALBOT_TEST_PROFILE}\n")
    campaign, problems = load_file(path)
    assert problems == []
    assert campaign is not None and campaign.spec.campaign.account == "brand_eu"


def test_account_defaults_to_default_profile(tmp_path):
    campaign, problems = load_file(write(tmp_path, HEADER))
    assert problems == [] and campaign is not None
    assert campaign.spec.campaign.account == "default"


def test_clock_times_and_dates_are_not_read_as_numbers(tmp_path):
    # YAML 1.1 reads 09:00 as 540 and dates as date objects; the spec keeps them as written
    path = write(tmp_path, HEADER + "  defaults:\n    quiet_hours: {start: 22:30, end: 08:00}\n")
    campaign, problems = load_file(path)
    assert problems == [] and campaign is not None
    quiet = campaign.spec.campaign.defaults.quiet_hours
    assert (quiet.start, quiet.end) == ("22:30", "08:00")


def test_x_weighted_length_counts_urls_as_23_and_cjk_as_2():
    assert x_weighted_length("https://example.com/a/very/long/path/that/is/longer/than/23") == 23
    assert x_weighted_length("see https://example.com") == 4 + 23
    assert x_weighted_length("漢" * 10) == 20
    assert over_limit("漢" * 140, X_CAPABILITIES) == 0
    assert over_limit("漢" * 141, X_CAPABILITIES) == 2
    assert over_limit("漢" * 141, REDDIT_CAPABILITIES) == 0  # Reddit counts plain characters


def test_140_cjk_characters_validate_and_141_are_over_by_2(tmp_path):
    ok = write(tmp_path, one_post("漢" * 140), "ok.yaml")
    over = write(tmp_path, one_post("漢" * 141).replace("loader-test", "loader-over"), "over.yaml")
    assert load_file(ok)[1] == []
    [problem] = load_file(over)[1]
    assert problem.path == "posts[0].text"
    assert problem.message.startswith("text is 2 characters over x's 280 limit (weighted length")


def test_long_url_does_not_push_a_text_over_the_limit(tmp_path):
    text = "a" * 250 + " https://example.com/" + "x" * 100  # 250 + 1 + 23 = 274
    campaign, problems = load_file(write(tmp_path, one_post(text)))
    assert problems == [] and campaign is not None


def test_load_paths_returns_every_campaign_of_a_directory(tmp_path):
    write(tmp_path, HEADER, "a.yaml")
    write(tmp_path, HEADER.replace("loader-test", "loader-two"), "b.yml")
    result = load_paths([tmp_path])
    assert result.problems == []
    assert sorted(c.id for c in result.campaigns) == ["loader-test", "loader-two"]


def test_empty_directory_is_a_problem(tmp_path):
    result = load_paths([tmp_path])
    assert [p.message for p in result.problems] == ["no campaign files (*.yaml) in this directory"]
