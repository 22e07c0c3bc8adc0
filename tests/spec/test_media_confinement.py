"""Media paths are confined: a campaign can attach only real image and video files inside its own folder (or SOCIALBOT_MEDIA_ROOT)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from socialbot.app.compile import load_files
from socialbot.cli import main
from socialbot.settings import Settings
from socialbot.spec.loader import load_file, load_paths

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
SECRET = "SOCIALBOT_X_API_SECRET=hunter2-do-not-leak"
MB = 1024 * 1024
MEDIA_LINE = 12  # the line of the `- path:` entry in the campaign below


def campaign(directory: Path, media: str, *, platforms: str = "[x]", extra: str = "") -> Path:
    """A campaign file with one post whose only media entry (on line MEDIA_LINE) is ``media``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "launch.yaml"
    body = f"""\
        campaign:
          id: media-test
          name: Media test
          timezone: Europe/Madrid
          starts: 2026-12-01
          ends: 2026-12-14
          platforms: {platforms}
        posts:
          - id: hello
            text: "Hello"
            media:
              - path: {media}
                alt: "A picture"
            schedule: {{at: "2026-12-02 09:00"}}
        """
    path.write_text(textwrap.dedent(body) + extra, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The attacker's layout: a project folder with a secret .env and a campaigns folder under it."""
    env = tmp_path / ".env"
    env.write_text(SECRET + "\n", encoding="utf-8")
    env.chmod(0o600)
    (tmp_path / "campaigns" / "media").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path)])
    return result.exit_code, result.output


def refused(path: Path, *phrases: str) -> str:
    code, output = validate(path)
    assert code == 2, output
    assert "Traceback" not in output, output
    assert f"{path}:{MEDIA_LINE}:" in output and "posts[0].media[0]" in output, output
    for phrase in phrases:
        assert phrase in output, output
    assert "hunter2" not in output, output  # never a byte of the file
    return output


def test_symlink_to_dotenv_is_refused_naming_where_it_leads(project):
    (project / "campaigns" / "media" / "x.png").symlink_to("../../.env")
    path = campaign(project / "campaigns", "media/x.png")
    output = refused(
        path,
        f"media 'media/x.png' resolves to {(project / '.env').resolve()}",
        f"outside the campaigns folder {(project / 'campaigns').resolve()}",
        "SOCIALBOT_MEDIA_ROOT",
    )
    assert output.count("error: ") == 1, output


def test_absolute_path_outside_is_refused(project):
    outside = project / "elsewhere" / "pic.png"
    outside.parent.mkdir()
    outside.write_bytes(PNG)
    refused(campaign(project / "campaigns", str(outside)), f"resolves to {outside.resolve()}", "outside")


def test_absolute_path_to_the_secret_itself_is_refused(project):
    refused(campaign(project / "campaigns", str(project / ".env")), "outside the campaigns folder")


def test_dot_dot_path_outside_is_refused(project):
    outside = project / "elsewhere" / "pic.png"
    outside.parent.mkdir()
    outside.write_bytes(PNG)
    refused(campaign(project / "campaigns", "../elsewhere/pic.png"), "'../elsewhere/pic.png' resolves to", "outside")


def test_dot_dot_path_that_stays_inside_is_accepted(project):
    (project / "campaigns" / "media" / "pic.png").write_bytes(PNG)
    code, output = validate(campaign(project / "campaigns", "media/../media/pic.png"))
    assert code == 0, output


def test_symlink_that_stays_inside_is_followed_and_accepted(project):
    (project / "campaigns" / "media" / "real.png").write_bytes(PNG)
    (project / "campaigns" / "media" / "alias.png").symlink_to("real.png")
    path = campaign(project / "campaigns", "media/alias.png")
    code, output = validate(path)
    assert code == 0, output
    loaded, problems = load_file(path)
    assert problems == []
    [action] = loaded.compiled.actions
    assert action.draft.media[0].path == str((project / "campaigns" / "media" / "real.png").resolve())


def test_png_that_is_really_text_is_refused(project):
    (project / "campaigns" / "media" / "x.png").write_text("hunter2 is not an image\n", encoding="utf-8")
    refused(campaign(project / "campaigns", "media/x.png"), "media 'media/x.png' is not a PNG image", "attach the real")


def test_suffix_must_agree_with_the_content(project):
    (project / "campaigns" / "media" / "photo.png").write_bytes(JPEG + b"0" * 100)
    refused(
        campaign(project / "campaigns", "media/photo.png"),
        "media 'media/photo.png' is a JPEG image named '.png'; rename it to end in .jpg or .jpeg",
    )


def test_a_real_tiny_png_is_accepted(project):
    (project / "campaigns" / "media" / "pixel.png").write_bytes(PNG)
    path = campaign(project / "campaigns", "media/pixel.png")
    code, output = validate(path)
    assert code == 0, output
    assert f"ok: {path}" in output


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("a.jpg", JPEG),
        ("a.jpeg", JPEG),
        ("a.gif", b"GIF89a\x01\x00\x01\x00"),
        ("a.gif", b"GIF87a\x01\x00\x01\x00"),
        ("a.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 "),
        ("a.mp4", b"\x00\x00\x00\x18ftypmp42"),
        ("A.PNG", PNG),
    ],
)
def test_every_supported_signature_is_accepted(project, name, head):
    (project / "campaigns" / "media" / name).write_bytes(head + b"\x00" * 64)
    _, problems = load_file(campaign(project / "campaigns", f"media/{name}"))
    assert problems == []


def test_a_file_over_the_platform_size_limit_is_refused(project):
    big = project / "campaigns" / "media" / "big.png"
    with big.open("wb") as f:
        f.write(PNG)
        f.truncate(5 * MB + 1)  # sparse: instant, no 5 MB written
    refused(
        campaign(project / "campaigns", "media/big.png"), "is 5,242,881 bytes; x takes images up to 5,242,880 bytes"
    )


def test_size_limits_are_per_platform_and_per_kind(project):
    big = project / "campaigns" / "media" / "big.png"
    with big.open("wb") as f:
        f.write(PNG)
        f.truncate(8 * MB)
    on_reddit = campaign(project / "campaigns", "media/big.png", platforms="[reddit]")
    on_reddit.write_text(
        on_reddit.read_text().replace('text: "Hello"', 'text: "Hello"\n    reddit: {subreddit: test}'), "utf-8"
    )
    assert load_file(on_reddit)[1] == []  # Reddit takes images up to 20 MB
    [problem] = load_file(campaign(project / "campaigns", "media/big.png"))[1]
    assert "is 8 MB; x takes images up to 5 MB; make it smaller" in problem.message
    gif = project / "campaigns" / "media" / "big.gif"
    with gif.open("wb") as f:
        f.write(b"GIF89a")
        f.truncate(8 * MB)
    assert load_file(campaign(project / "campaigns", "media/big.gif"))[1] == []  # X takes GIFs up to 15 MB


def test_a_directory_is_not_a_media_file(project):
    (project / "campaigns" / "media" / "folder.png").mkdir()
    refused(campaign(project / "campaigns", "media/folder.png"), "is a directory, not a file")


def test_a_symlink_loop_is_refused_without_a_traceback(project):
    media = project / "campaigns" / "media"
    (media / "a.png").symlink_to("b.png")
    (media / "b.png").symlink_to("a.png")
    refused(campaign(project / "campaigns", "media/a.png"), "cannot be reached")


def test_missing_file_message_is_unchanged(project):
    refused(campaign(project / "campaigns", "media/nope.png"), "media file 'media/nope.png' not found")


def test_media_root_setting_allows_a_file_outside_the_campaigns_folder(project, monkeypatch):
    shared = project / "brand-assets"
    shared.mkdir()
    (shared / "logo.png").write_bytes(PNG)
    path = campaign(project / "campaigns", str(shared / "logo.png"))
    refused(path, "outside the campaigns folder")
    monkeypatch.setenv("SOCIALBOT_MEDIA_ROOT", str(shared))
    code, output = validate(path)
    assert code == 0, output
    # relative paths are still relative to the campaign file, and may reach into the root
    code, output = validate(campaign(project / "campaigns", "../brand-assets/logo.png"))
    assert code == 0, output


def test_media_root_does_not_open_everything(project, monkeypatch):
    shared = project / "brand-assets"
    shared.mkdir()
    (shared / "x.png").symlink_to("../.env")  # a link in the root that leads out of it
    monkeypatch.setenv("SOCIALBOT_MEDIA_ROOT", str(shared))
    refused(
        campaign(project / "campaigns", str(shared / "x.png")),
        f"and the media root {shared.resolve()}",
        "inside one of them",
    )


def test_loader_and_app_take_the_media_roots_explicitly(project):
    shared = project / "brand-assets"
    shared.mkdir()
    (shared / "logo.png").write_bytes(PNG)
    path = campaign(project / "campaigns", str(shared / "logo.png"))
    assert load_paths([path]).problems
    assert load_paths([path], media_roots=[shared]).problems == []
    settings = Settings(campaigns_dir=project / "campaigns", media_root=shared, _env_file=None)
    assert load_files([path], settings=settings).problems == []
    assert load_files([path], settings=Settings(_env_file=None)).problems


def test_media_root_is_documented():
    repo = Path(__file__).resolve().parents[2]
    for doc in (".env.example", "docs/campaigns.md", "docs/operations.md"):
        assert "SOCIALBOT_MEDIA_ROOT" in (repo / doc).read_text(encoding="utf-8"), doc


def test_unreadable_file_is_a_problem_not_a_crash(project, monkeypatch):
    locked = project / "campaigns" / "media" / "locked.png"
    locked.write_bytes(PNG)
    locked.chmod(0)
    real_open = os.open

    def no_permission(path, *args, **kwargs):  # root reads every file: refuse this one as a non-root user is
        if os.fspath(path) == os.fspath(locked.resolve()):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_permission)
    refused(campaign(project / "campaigns", "media/locked.png"), "cannot be read")
