"""The .env file through the CLI: one that cannot be used stops every command with exit 2, an unsafe one is warned about once."""

from __future__ import annotations

import logging
import os

import pytest
from click.testing import CliRunner

from socialbot.cli import main

SECRET = "s3cret-value-never-printed"
CAMPAIGN = """\
campaign: {id: shop, name: Shop, timezone: UTC, starts: 2026-12-01, ends: 2026-12-03, platforms: [sandbox]}
posts:
  - {id: hello, text: Hello, schedule: {at: "2026-12-01 08:00"}}
"""


@pytest.fixture
def project(monkeypatch, tmp_path):
    """A project folder as the working directory, with one valid sandbox campaign."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "shop.yaml").write_text(CAMPAIGN, encoding="utf-8")
    return tmp_path


def commands(project):
    """One of each kind: campaign files only, the database, nothing at all, the daemon, the accounts."""
    return [
        ["validate", "campaigns"],
        ["status", "--db", str(project / "s.db")],
        ["schema"],
        ["run", "--once", "--sandbox", "--campaigns", "campaigns", "--db", str(project / "s.db")],
        ["doctor"],
    ]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def write_env(project, text: str, mode: int = 0o600):
    env = project / ".env"
    env.write_text(text, encoding="utf-8")
    env.chmod(mode)
    return env


BROKEN = {
    "not_utf8": (
        lambda env: env.write_bytes(b"# settings\nSOCIALBOT_LOG_LEVEL=INFO\nSOCIALBOT_X_API_SECRET=s3cret\xff-value\n"),
        ".env: line 3 is not valid UTF-8 (at byte 30 of the line); save the file as UTF-8 text",
    ),
    "fifo": (
        os.mkfifo,
        ".env: is a named pipe (FIFO), not a regular file; socialbot reads settings and credentials only from a "
        "regular file of NAME=value lines: replace it with one (cp .env.example .env && chmod 600 .env) or remove it",
    ),
    "directory": (lambda env: env.mkdir(), ".env: is a directory, not a regular file;"),
    "symlink_to_dev_zero": (
        lambda env: env.symlink_to("/dev/zero"),
        ".env: is a symlink to /dev/zero, a character device, not a regular file;",
    ),
    "dangling_symlink": (
        lambda env: env.symlink_to("gone.env"),
        ".env: is a symlink to gone.env, which does not exist; fix the link or remove it",
    ),
    "too_large": (
        lambda env: env.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n"),
        ".env: is 1048579 bytes, more than the 1 MiB a .env file may be;",
    ),
}


@pytest.mark.timeout(30)  # a FIFO .env used to block every command in open() forever
@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_an_unusable_env_file_stops_every_command_with_exit_2_saying_what_is_wrong(project, kind):
    make, message = BROKEN[kind]
    make(project / ".env")
    for args in commands(project):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith(f"error: {message}"), (args, result.stderr)
        assert result.stdout == "", args
        assert "internal error" not in result.output and "s3cret" not in result.output, args
    assert not (project / "s.db").exists()  # stopped before anything was created


def test_a_regular_env_file_and_a_symlink_to_one_are_read_for_settings_and_credentials(project):
    real = write_env(
        project, f"SOCIALBOT_CAMPAIGNS_DIR=elsewhere\nSOCIALBOT_REDDIT_CLIENT_ID={SECRET}\n", mode=0o600
    ).rename(project / "real.env")
    (project / ".env").symlink_to(real.name)
    (project / "elsewhere").mkdir()
    validate = invoke("validate")  # no paths: the campaigns directory of the settings, from .env
    assert validate.exit_code == 2 and "error: elsewhere: no campaign files" in validate.output, validate.output
    doctor = invoke("doctor")  # the credential reader sees the client id from .env
    assert (
        "missing SOCIALBOT_REDDIT_CLIENT_SECRET, SOCIALBOT_REDDIT_USERNAME, SOCIALBOT_REDDIT_PASSWORD\n"
        in doctor.output
    )
    assert "SOCIALBOT_REDDIT_CLIENT_ID" not in doctor.output and SECRET not in doctor.output
    assert "warning" not in doctor.output


def test_an_env_file_this_user_cannot_read_says_how_to_fix_it(project, monkeypatch):
    write_env(project, "SOCIALBOT_LOG_LEVEL=INFO\n", mode=0o000)
    if os.geteuid() == 0:  # root reads any file: the refusal a normal user gets is made here
        real_open = os.open

        def refusing_open(path, flags, *args, **kwargs):
            if os.fspath(path) == ".env" or os.fspath(path).endswith("/.env"):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing_open)
    result = invoke("validate", "campaigns")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: .env: cannot be read (Permission denied); let the user running socialbot")


@pytest.mark.parametrize(
    ("mode", "contents", "warning"),
    [
        (0o644, "SOCIALBOT_LOG_LEVEL=INFO\n", ".env is readable by its group and all other users (mode 644)"),
        (
            0o640,
            f"SOCIALBOT_X_BRAND_API_SECRET={SECRET}\nSOCIALBOT_X_API_KEY=\nSOCIALBOT_REDDIT_USERNAME=me\n",
            ".env holds secrets (SOCIALBOT_X_BRAND_API_SECRET) but is readable by its group (mode 640)",
        ),
        (
            0o620,
            f"SOCIALBOT_REDDIT_PASSWORD={SECRET}\n",
            ".env is writable by its group (mode 620), so they can change socialbot's settings",
        ),
        (
            0o606,
            f"SOCIALBOT_REDDIT_REFRESH_TOKEN={SECRET}\n",
            ".env holds secrets (SOCIALBOT_REDDIT_REFRESH_TOKEN) but is readable and writable by all other users "
            "(mode 606), so they can change socialbot's settings",
        ),
        (0o600, f"SOCIALBOT_X_API_SECRET={SECRET}\n", None),
        (0o710, f"SOCIALBOT_X_API_SECRET={SECRET}\n", None),  # executable by its group: nothing to read or change
    ],
)
def test_the_env_permission_warning_says_what_is_wrong_and_holds_secrets_only_when_it_does(
    project, mode, contents, warning
):
    write_env(project, contents, mode)
    result = invoke("validate", "campaigns")  # validate reads no setting: it warns all the same
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    if warning is None:
        assert "warning" not in result.output
    else:
        assert f"warning: {warning}; make it private: chmod 600 .env\n" in result.stderr
        assert result.output.count("chmod 600") == 1
    assert ("holds secrets" in result.output) is ("holds secrets" in (warning or ""))


def test_every_command_warns_once_run_once_included_and_doctor_fails_instead(project, caplog):
    write_env(project, f"SOCIALBOT_X_API_KEY={SECRET}\n", mode=0o644)
    said = ".env holds secrets (SOCIALBOT_X_API_KEY) but is readable by its group and all other users (mode 644)"
    caplog.set_level(logging.WARNING)
    for args in commands(project)[:-1]:
        result = invoke(*args)
        assert result.exit_code in (0, 1), (args, result.output)  # status of a new database may exit 1
        assert result.output.count(said) == 1, (args, result.output)
        assert SECRET not in result.output
    assert not [r for r in caplog.records if "chmod 600" in r.getMessage()]  # the daemon does not log it a second time
    doctor = invoke("doctor")
    assert doctor.exit_code == 1
    assert doctor.stdout.count(f"FAIL {said}; make it private: chmod 600 .env\n") == 1
    assert "chmod 600" not in doctor.stderr  # its FAIL line, not a warning as well


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'SOCIALBOT_LOG_LEVEL=INFO\nSOCIALBOT_X_API_KEY="unterminated\n',
            "error: .env: line 2 is not a KEY=value line",
        ),
        ("SOCIALBOT_LOG_LEVEL=INFO\x00\n", "error: .env: the file contains a NUL character"),
    ],
)
def test_a_line_dotenv_cannot_read_stops_the_command_naming_the_line_not_its_secret(project, text, expected):
    write_env(project, text)
    result = invoke("validate", "campaigns")
    assert result.exit_code == 2
    assert result.stderr.startswith(expected) and "unterminated" not in result.stderr
    assert result.stderr.count("\n") == 1  # said once, not once per read of the file
