"""The X adapter checks each media file again right before uploading it: a file swapped after validation is never sent."""

from __future__ import annotations

import textwrap

import pytest

from socialbot.domain.values import Draft, MediaItem
from socialbot.errors import ContentRejected
from socialbot.spec.loader import load_file
from tests.fakes.x_api import Clock, XApiStandIn, XHarness

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
SECRET = b"SOCIALBOT_X_API_SECRET=hunter2-do-not-leak\n"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def standin(clock):
    with XApiStandIn(clock=clock) as x:
        yield x


@pytest.fixture
def harness(standin, clock):
    return XHarness(standin, clock)


@pytest.fixture
def project(tmp_path):
    """A project with a secret .env and a valid campaign attaching campaigns/media/x.png."""
    (tmp_path / ".env").write_bytes(SECRET)
    media = tmp_path / "campaigns" / "media"
    media.mkdir(parents=True)
    (media / "x.png").write_bytes(PNG)
    (tmp_path / "campaigns" / "launch.yaml").write_text(
        textwrap.dedent(
            """\
            campaign: {id: upload-test, name: Upload, timezone: UTC, starts: 2026-12-01, ends: 2026-12-14, platforms: [x]}
            posts:
              - {id: hello, text: "Hello", media: [media/x.png], schedule: {at: "2026-12-02 09:00"}}
            """
        ),
        encoding="utf-8",
    )
    return tmp_path


def validated_draft(project) -> Draft:
    campaign, problems = load_file(project / "campaigns" / "launch.yaml")
    assert problems == []
    [action] = campaign.compiled.actions
    return action.draft


def nothing_uploaded(standin) -> None:
    assert standin.media == {}
    assert not [endpoint for endpoint in standin.calls if "media" in endpoint]
    assert standin.tweets == {}


def test_validated_file_uploads(harness, standin, project):
    published = harness.platform.publish(validated_draft(project))
    [key] = standin.tweets[published.remote_id]["media_keys"]
    assert standin.media[key.split("_", 1)[1]]["data"] == PNG


def test_file_swapped_for_a_symlink_after_validation_is_not_uploaded(harness, standin, project):
    draft = validated_draft(project)
    image = project / "campaigns" / "media" / "x.png"
    image.unlink()
    image.symlink_to("../../.env")  # the swap, between `validate` and the post's due time
    with pytest.raises(ContentRejected, match="is now a symbolic link") as caught:
        harness.platform.publish(draft)
    assert str(image) in str(caught.value) and "hunter2" not in str(caught.value)
    nothing_uploaded(standin)


def test_folder_swapped_for_a_symlink_after_validation_is_not_uploaded(harness, standin, project):
    draft = validated_draft(project)
    media = project / "campaigns" / "media"
    media.rename(project / "campaigns" / "old-media")
    (project / "elsewhere").mkdir()
    (project / "elsewhere" / "x.png").write_bytes(PNG)
    media.symlink_to(project / "elsewhere")  # the last part of the path is a real file, the folder is not
    with pytest.raises(ContentRejected, match=r"now resolves to .*elsewhere"):
        harness.platform.publish(draft)
    nothing_uploaded(standin)


def test_content_swapped_after_validation_is_not_uploaded(harness, standin, project):
    draft = validated_draft(project)
    (project / "campaigns" / "media" / "x.png").write_bytes(SECRET)
    with pytest.raises(ContentRejected, match=r"refused at upload .*is not a PNG image") as caught:
        harness.platform.publish(draft)
    assert "hunter2" not in str(caught.value)
    nothing_uploaded(standin)


def test_file_grown_past_the_limit_after_validation_is_not_uploaded(harness, standin, project):
    draft = validated_draft(project)
    with (project / "campaigns" / "media" / "x.png").open("r+b") as f:
        f.truncate(6 * 1024 * 1024)  # sparse
    with pytest.raises(ContentRejected, match="x takes images up to 5 MB"):
        harness.platform.publish(draft)
    nothing_uploaded(standin)


def test_one_bad_file_stops_the_upload_of_all(harness, standin, project):
    good = project / "campaigns" / "media" / "x.png"
    bad = project / "campaigns" / "media" / "y.png"
    bad.symlink_to("../../.env")
    with pytest.raises(ContentRejected):
        harness.platform.publish(Draft(text="Two", media=(MediaItem(str(good)), MediaItem(str(bad)))))
    nothing_uploaded(standin)


def test_old_ledger_row_pointing_at_a_secret_is_not_uploaded(harness, standin, project):
    # a draft planned before media were confined: its path is the resolved .env itself
    with pytest.raises(ContentRejected, match="not a supported media type"):
        harness.platform.publish(Draft(text="Old", media=(MediaItem(str((project / ".env").resolve())),)))
    nothing_uploaded(standin)


def test_relative_media_path_is_refused(harness, standin):
    with pytest.raises(ContentRejected, match="not an absolute"):
        harness.platform.publish(Draft(text="Rel", media=(MediaItem("media/x.png"),)))
    nothing_uploaded(standin)
