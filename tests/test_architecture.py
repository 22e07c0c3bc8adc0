"""The shape of the house holds: the rule checker is tested on small trees, then run on the real package."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import socialbot
from tests.architecture import (
    MAX_MODULE_LINES,
    check,
    collect_imports,
    loose_top_level_modules,
    oversized_modules,
    resolve_relative,
)

PACKAGE_ROOT = Path(socialbot.__file__).parent


def build(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write a throwaway `socialbot` tree (every directory gets an `__init__.py`) and return its root."""
    root = tmp_path / "socialbot"
    for name, source in {"__init__.py": "", **files}.items():
        path = root / name
        for directory in [path.parent, *path.parent.parents]:
            if directory == tmp_path:
                break
            directory.mkdir(parents=True, exist_ok=True)
            (directory / "__init__.py").touch()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def only(violations: list[str], *fragments: str) -> str:
    """The single violation mentioning every fragment (fails when there is not exactly one)."""
    matching = [line for line in violations if all(fragment in line for fragment in fragments)]
    assert len(matching) == 1, f"expected one violation mentioning {fragments}, got:\n" + "\n".join(violations)
    return matching[0]


# --- the checker, on small trees -----------------------------------------------------------------


def test_a_clean_tree_has_no_violations(tmp_path):
    root = build(
        tmp_path,
        {
            "__main__.py": "from socialbot.cli import main\n",
            "errors.py": "class SocialbotError(Exception): ...\n",
            "settings.py": "from socialbot.errors import SocialbotError\n",
            "domain/values.py": "from ..errors import SocialbotError\nimport datetime\n",
            "domain/planning.py": "from . import values\nfrom socialbot.domain.values import *\n",
            "spec/loader.py": "import yaml\nfrom socialbot.domain import planning\n",
            "platforms/__init__.py": "from .base import Platform\n",
            "platforms/base.py": "from typing import Protocol\nclass Platform(Protocol): ...\n",
            "platforms/x/client.py": "import tweepy\nfrom socialbot import __version__\nfrom ..base import Platform\n",
            "platforms/reddit/transport.py": "import praw\nfrom prawcore.exceptions import TooManyRequests\n",
            "storage/__init__.py": "from .db import connect\nfrom .ledger import Ledger\n",
            "storage/db.py": "import sqlalchemy\ndef connect(): ...\n",
            "storage/ledger.py": "from sqlmodel import SQLModel\nfrom socialbot.storage import db\nclass Ledger: ...\n",
            "storage/migrations/env.py": "from socialbot.platforms import registry\nimport tweepy\n",
            "app/__init__.py": "from socialbot.storage import connect\nfrom socialbot.platforms.x import client\n",
            "report/table.py": "import rich\nfrom socialbot.app import status\n",
            "app/status.py": "from socialbot.domain import planning\n",
            "run/scheduler.py": "from apscheduler.schedulers.background import BackgroundScheduler\nimport socialbot.app\n",
            "cli/__init__.py": "import click\nfrom apscheduler import events\nfrom . import commands\ndef main(): ...\n",
            "cli/commands.py": "import click\ndef serve():\n    from socialbot.run import scheduler\n",
        },
    )
    assert check(root) == []


def test_a_domain_module_importing_sqlalchemy_is_reported(tmp_path):
    root = build(tmp_path, {"domain/ledger.py": "from sqlalchemy.orm import Session\n"})
    line = only(check(root), "sqlalchemy", "domain is pure")
    assert "socialbot.domain.ledger" in line
    assert "socialbot/domain/ledger.py:1" in line


def test_the_domain_may_import_nothing_of_ours_but_domain_and_errors(tmp_path):
    root = build(tmp_path, {"domain/clock.py": "from socialbot.settings import Settings\n", "settings.py": ""})
    line = only(check(root), "socialbot.domain.clock")
    assert "socialbot.settings" in line
    assert "may import only domain, errors" in line


def test_a_function_level_tweepy_import_in_storage_is_reported(tmp_path):
    root = build(tmp_path, {"storage/db.py": "def connect():\n    import tweepy\n    return tweepy\n"})
    line = only(check(root), "tweepy")
    assert "socialbot.storage.db" in line
    assert "inside connect()" in line
    assert "only socialbot.platforms.x may import tweepy" in line


def test_praw_outside_the_reddit_package_is_reported(tmp_path):
    root = build(tmp_path, {"platforms/reddit_auth.py": "import praw\n", "platforms/reddit/auth.py": "import praw\n"})
    line = only(check(root), "praw")
    assert "socialbot.platforms.reddit_auth" in line  # a sibling module is not inside the package


@pytest.mark.parametrize(
    ("a_source", "b_source"),
    [
        ("from . import b\n", "from .a import thing\n"),
        ("from . import b\n", "def later():\n    from . import a\n"),
        ("def later():\n    from .b import thing\n", "import socialbot.a\n"),
    ],
    ids=["module-level", "b-inside-a-function", "a-inside-a-function"],
)
def test_a_relative_import_circle_is_reported(tmp_path, a_source, b_source):
    root = build(tmp_path, {"a.py": a_source, "b.py": b_source})
    line = only(check(root), "import cycle")
    assert "socialbot.a -> socialbot.b -> socialbot.a" in line
    assert "socialbot/a.py:" in line
    assert "socialbot/b.py:" in line


def test_a_longer_circle_names_every_step(tmp_path):
    root = build(
        tmp_path,
        {
            "storage/a.py": "from . import b\n",
            "storage/b.py": "from . import c\n",
            "storage/c.py": "from .a import x\n",
        },
    )
    line = only(check(root), "import cycle")
    assert "socialbot.storage.a -> socialbot.storage.b -> socialbot.storage.c -> socialbot.storage.a" in line


def test_a_package_reexporting_its_submodules_is_not_a_circle(tmp_path):
    root = build(
        tmp_path,
        {
            "storage/__init__.py": "from .ledger import Ledger\nfrom .db import connect\n",
            "storage/ledger.py": "from socialbot.storage import db\nfrom . import db as database\n",
            "storage/db.py": "def connect(): ...\n",
        },
    )
    assert check(root) == []


def test_a_submodule_taking_a_name_from_its_own_package_init_is_a_circle(tmp_path):
    root = build(
        tmp_path,
        {
            "storage/__init__.py": "from .ledger import Ledger\nHELPER = 1\n",
            "storage/ledger.py": "from . import HELPER\n",
        },
    )
    line = only(check(root), "import cycle")
    assert "socialbot.storage -> socialbot.storage.ledger -> socialbot.storage" in line


def test_storage_importing_platforms_is_reported(tmp_path):
    root = build(
        tmp_path, {"storage/publications.py": "from socialbot.platforms import base\n", "platforms/base.py": ""}
    )
    line = only(check(root), "socialbot.storage.publications")
    assert "socialbot.platforms.base" in line
    assert "not platforms" in line


def test_spec_importing_storage_relatively_is_reported(tmp_path):
    root = build(tmp_path, {"spec/loader.py": "from ..storage.db import connect\n", "storage/db.py": ""})
    line = only(check(root), "socialbot.spec.loader")
    assert "socialbot.storage.db" in line


def test_app_importing_cli_is_reported(tmp_path):
    root = build(tmp_path, {"app/status.py": "from socialbot.cli import main\n", "cli/__init__.py": ""})
    violations = check(root)
    assert "socialbot.app must not import socialbot.cli" in only(violations, "must not import")
    assert "socialbot.app.status" in only(violations, "nothing but socialbot.cli and socialbot.__main__")


def test_report_importing_run_is_reported(tmp_path):
    root = build(tmp_path, {"report/table.py": "def render():\n    import socialbot.run.jobs\n", "run/jobs.py": ""})
    line = only(check(root), "socialbot.report.table")
    assert "socialbot.report must not import socialbot.run" in line


def test_click_outside_cli_is_reported(tmp_path):
    root = build(tmp_path, {"run/daemon.py": "import click.testing\n"})
    assert "socialbot.run.daemon" in only(check(root), "only socialbot.cli may import click")


def test_migrations_are_not_checked(tmp_path):
    root = build(tmp_path, {"storage/migrations/versions/0001.py": "import tweepy\nfrom socialbot.cli import x\n"})
    assert check(root) == []


def test_a_module_that_does_not_parse_is_reported(tmp_path):
    root = build(tmp_path, {"domain/broken.py": "def oops(:\n"})
    assert "socialbot/domain/broken.py" in only(check(root), "cannot parse")


def test_relative_imports_resolve_to_absolute_names():
    assert (
        resolve_relative("socialbot.storage.db", is_package=False, level=1, target="ledger")
        == "socialbot.storage.ledger"
    )
    assert resolve_relative("socialbot.storage.db", is_package=False, level=2, target="domain") == "socialbot.domain"
    assert resolve_relative("socialbot.storage", is_package=True, level=1, target=None) == "socialbot.storage"
    assert resolve_relative("socialbot.storage", is_package=True, level=2, target="errors") == "socialbot.errors"
    assert resolve_relative("socialbot.errors", is_package=False, level=2, target=None) is None


def test_imports_name_submodules_when_they_exist():
    imports = collect_imports(
        "from . import db, Ledger\nclass K:\n    import json\n",
        module="socialbot.storage",
        is_package=True,
        path="socialbot/storage/__init__.py",
        known_modules=frozenset({"socialbot.storage", "socialbot.storage.db"}),
    )
    assert [(imp.target, imp.function) for imp in imports] == [
        ("socialbot.storage.db", None),
        ("socialbot.storage", None),
        ("json", None),  # a class body runs at import time
    ]


def test_oversized_and_loose_modules_are_found(tmp_path):
    root = build(
        tmp_path,
        {
            "errors.py": "",
            "platform_registry.py": "",
            "domain/long.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
            "domain/short.py": "x = 1\n" * MAX_MODULE_LINES,
            "storage/migrations/versions/0001.py": "x = 1\n" * 1000,
        },
    )
    assert oversized_modules(root) == [f"socialbot/domain/long.py: {MAX_MODULE_LINES + 1} lines (limit 400)"]
    assert loose_top_level_modules(root) == ["socialbot/platform_registry.py"]


# --- the real house ------------------------------------------------------------------------------


def test_the_house_follows_the_rules():
    violations = check(PACKAGE_ROOT)
    assert violations == [], "house rules broken (DESIGN.md §2):\n" + "\n".join(violations)


def test_modules_stay_small_and_live_in_rooms():
    problems = oversized_modules(PACKAGE_ROOT) + [
        f"{path}: a loose top-level module; move it into a package" for path in loose_top_level_modules(PACKAGE_ROOT)
    ]
    assert problems == [], "modules too long or outside a package (DESIGN.md §2):\n" + "\n".join(problems)
