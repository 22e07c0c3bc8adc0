"""Docs drift tests: every command, setting and credential is documented, docs/cli.md is current, links resolve."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import click

from socialbot.cli import main
from socialbot.platforms.credentials import RedditCredentials, XCredentials, credential_var
from socialbot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
ENV_EXAMPLE = ROOT / ".env.example"
CLI_DOC = ROOT / "docs" / "cli.md"
REGENERATE = "run `python tools/gen_cli_docs.py > docs/cli.md` and commit the result"


def _command_paths(command: click.Command, prefix: str = "socialbot") -> list[str]:
    """'socialbot', 'socialbot auth', 'socialbot auth x', … for every visible command."""
    paths = [prefix]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            if not sub.hidden:
                paths += _command_paths(sub, f"{prefix} {name}")
    return paths


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "tools" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_walk_finds_the_nested_commands():
    paths = _command_paths(main)
    assert {"socialbot run", "socialbot auth x", "socialbot auth reddit", "socialbot db upgrade"} <= set(paths)


def test_every_command_is_in_the_cli_reference_and_the_readme():
    cli_doc, readme = CLI_DOC.read_text(encoding="utf-8"), README.read_text(encoding="utf-8")
    missing_cli = [p for p in _command_paths(main) if not _mentions(cli_doc, p)]
    missing_readme = [p for p in _command_paths(main) if not _mentions(readme, p)]
    assert not missing_cli, f"not in docs/cli.md: {missing_cli}; {REGENERATE}"
    assert not missing_readme, f"not in README.md (add them to the Commands table): {missing_readme}"


def test_cli_reference_is_the_generators_current_output():
    generated = _load_generator().render()
    assert CLI_DOC.read_text(encoding="utf-8") == generated, f"docs/cli.md is out of date: {REGENERATE}"


def test_every_setting_is_in_env_example_and_documented():
    env_example = ENV_EXAMPLE.read_text(encoding="utf-8")
    docs = "\n".join(path.read_text(encoding="utf-8") for path in _markdown_files())
    names = [f"SOCIALBOT_{field.upper()}" for field in Settings.model_fields]
    assert names, "Settings has no fields?"
    not_in_env = [n for n in names if not re.search(rf"^#?\s*{n}=", env_example, re.MULTILINE)]
    not_in_docs = [n for n in names if not _mentions(docs, n)]
    assert not not_in_env, f"add to .env.example, with a comment (what, default, example): {not_in_env}"
    assert not not_in_docs, f"document in README.md or docs/: {not_in_docs}"


def test_every_credential_variable_is_in_env_example():
    env_example = ENV_EXAMPLE.read_text(encoding="utf-8")
    keys = {
        "x": [f.name for f in dataclasses.fields(XCredentials) if f.name != "profile"],
        "reddit": [f.name for f in dataclasses.fields(RedditCredentials) if f.name != "profile"],
    }
    assert len(keys["x"]) == 5 and len(keys["reddit"]) == 5
    wanted = [
        credential_var(platform, profile, key)
        for platform, names in keys.items()
        for key in names
        for profile in ("default", "brand")
    ]
    missing = [v for v in wanted if not re.search(rf"^#?\s*{v}=", env_example, re.MULTILINE)]
    assert not missing, f"add to .env.example (empty or commented out, never a real secret): {missing}"


def test_env_example_holds_no_values():
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("SOCIALBOT_"):
            assert line.endswith("="), f"an active line of .env.example must be empty: {line}"


def test_readme_starts_with_the_two_set_up_commands():
    readme = README.read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme


LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def test_relative_links_point_to_existing_files():
    broken = []
    for path in _markdown_files():
        text = FENCE.sub("", path.read_text(encoding="utf-8"))
        for target in LINK.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # http(s)://, mailto: and in-page anchors
            file_part = target.split("#", 1)[0]
            if not (path.parent / file_part).exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert not broken, f"relative links to missing files: {broken}"
