"""`simulate` rehearses several campaign files, or a folder of them, together."""

from __future__ import annotations

import json

from click.testing import CliRunner

from socialbot.cli import main
from tests.conftest import one_post_campaign


def test_a_folder_of_campaigns_is_rehearsed_together(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "campaigns"
    folder.mkdir()
    for cid in ("alpha", "beta"):
        (folder / f"{cid}.yaml").write_text(
            one_post_campaign(cid, cid.title()).replace('"Hello"', f'"Hello from {cid}"'), encoding="utf-8"
        )
    result = CliRunner().invoke(main, ["simulate", "campaigns", "--days", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["simulation"]
    assert sorted(summary["campaigns"]) == ["alpha", "beta"] and summary["sent"] == 2


def test_a_missing_campaign_is_named_and_nothing_is_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "simulation.db").write_bytes(b"")
    result = CliRunner().invoke(main, ["simulate", "nowhere.yaml"])
    assert result.exit_code == 2
    assert result.stderr == "error: nowhere.yaml: no such campaign file or folder (nothing was changed)\n"
    assert (tmp_path / "simulation.db").read_bytes() == b""
