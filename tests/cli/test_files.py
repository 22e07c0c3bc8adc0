"""`report -o FILE`: the file is written whole or not at all, and a failure names the file and why (exit 2)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.cli import main

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN = "demo-winter-launch"


@pytest.fixture(scope="module")
def simulation_db(tmp_path_factory) -> Path:
    """One day of the demo campaign, rehearsed once for every test here."""
    folder = tmp_path_factory.mktemp("rehearsal")
    with pytest.MonkeyPatch.context() as mp:
        for var in [v for v in os.environ if v.startswith("SOCIALBOT_")]:
            mp.delenv(var)
        mp.chdir(folder)
        result = CliRunner().invoke(
            main,
            ["simulate", str(REPO / "campaigns" / "demo.yaml"), "--days", "1", "--db", "sim.db", "--format", "json"],
        )
    assert result.exit_code == 0, result.output
    return folder / "sim.db"


@pytest.fixture
def report(simulation_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(output: str | Path):
        return CliRunner().invoke(
            main, ["report", CAMPAIGN, "--db", str(simulation_db), "--format", "csv", "-o", str(output)]
        )

    return invoke


def refused(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""


def test_a_report_is_written_and_no_temporary_file_is_left(report, tmp_path):
    result = report(tmp_path / "r.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {tmp_path / 'r.csv'}\n"
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("published,item,platform")
    assert os.listdir(tmp_path) == ["r.csv"]


def test_overwriting_keeps_the_file_permissions_and_a_symbolic_link(report, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o640)
    (tmp_path / "link.csv").symlink_to("real.csv")
    result = report("link.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link.csv").is_symlink()
    assert real.read_text(encoding="utf-8").startswith("published,item,platform")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["link.csv", "real.csv"]


def test_a_missing_folder_is_named(report):
    result = report("/nonexistent-socialbot-folder/x.csv")
    refused(result, "/nonexistent-socialbot-folder/x.csv: the folder /nonexistent-socialbot-folder does not exist")


def test_a_file_in_the_way_of_the_folder_is_named(report, tmp_path):
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    refused(report("notes.txt/x.csv"), "notes.txt/x.csv: notes.txt is a file, not a folder")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full is a Linux device")
def test_a_full_device_says_disk_full_and_stays_a_device(report):
    refused(report("/dev/full"), "/dev/full: disk full (no space left on device)")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_full_disk_keeps_the_old_file_whole(report, tmp_path, monkeypatch):
    (tmp_path / "r.csv").write_text("old report\n", encoding="utf-8")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    refused(report("r.csv"), "r.csv: disk full (no space left on device)")
    assert (tmp_path / "r.csv").read_text(encoding="utf-8") == "old report\n"
    assert os.listdir(tmp_path) == ["r.csv"]


def test_a_refused_rename_says_permission_denied_and_leaves_nothing(report, tmp_path, monkeypatch):
    def denied(_src: object, _dst: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", denied)
    refused(report("r.csv"), "r.csv: permission denied")
    assert os.listdir(tmp_path) == []


def test_a_folder_refusing_new_files_still_lets_an_existing_file_be_overwritten(report, tmp_path, monkeypatch):
    import builtins

    from socialbot.cli import files

    (tmp_path / "r.csv").write_text("old report\n", encoding="utf-8")

    def no_new_files(file, mode="r", *args, **kwargs):
        if "x" in mode:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(files, "open", no_new_files, raising=False)
    result = report("r.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("published,item,platform")


def test_a_dangling_link_names_the_folder_it_points_into(report, tmp_path):
    (tmp_path / "dangling.csv").symlink_to("/nonexist/zz.csv")
    refused(report("dangling.csv"), "dangling.csv: the folder /nonexist does not exist")


def test_a_folder_is_refused_like_every_other_bad_output(report, tmp_path):
    (tmp_path / "reports").mkdir()
    refused(report("reports"), "reports: is a folder; give a file name such as report.csv")


def test_a_dash_writes_to_the_terminal(report, tmp_path):
    result = report("-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("published,item,platform") and not (tmp_path / "-").exists()
