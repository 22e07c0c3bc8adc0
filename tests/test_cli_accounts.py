"""`socialbot doctor` checks configured accounts against the stand-ins and never prints a secret."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from socialbot.cli import main
from tests.fakes.reddit_api import RedditApiStandIn


@pytest.fixture
def standin():
    server = RedditApiStandIn()
    yield server
    server.stop()


def reddit_env(monkeypatch, standin, *, password: str) -> None:
    monkeypatch.setenv("SOCIALBOT_REDDIT_CLIENT_ID", standin.client_id)
    monkeypatch.setenv("SOCIALBOT_REDDIT_CLIENT_SECRET", standin.client_secret)
    monkeypatch.setenv("SOCIALBOT_REDDIT_USERNAME", standin.username)
    monkeypatch.setenv("SOCIALBOT_REDDIT_PASSWORD", password)
    for var in ("OAUTH_URL", "URL", "SHORT_URL"):
        monkeypatch.setenv(f"SOCIALBOT_REDDIT_{var}", standin.base_url)


def test_doctor_reports_a_working_reddit_account(monkeypatch, tmp_path, standin):
    monkeypatch.chdir(tmp_path)
    reddit_env(monkeypatch, standin, password="standin-password")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "ok  reddit profile 'default': u/socialbot_test" in result.output
    assert "standin-password" not in result.output and standin.client_secret not in result.output


def test_doctor_fails_on_a_bad_password_without_printing_it(monkeypatch, tmp_path, standin):
    monkeypatch.chdir(tmp_path)
    reddit_env(monkeypatch, standin, password="wrong-password-123")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "FAIL reddit profile 'default'" in result.output
    assert "SOCIALBOT_REDDIT_PASSWORD" in result.output  # names the variable to fix
    assert "wrong-password-123" not in result.output


def test_doctor_fails_on_a_revoked_refresh_token_saying_to_authorize_again(monkeypatch, tmp_path, standin):
    monkeypatch.chdir(tmp_path)
    token = standin.refresh_token_for()
    standin.revoke_refresh_token(token)  # Reddit now answers 400 {"error": 400} on the token endpoint
    monkeypatch.setenv("SOCIALBOT_REDDIT_BRAND_CLIENT_ID", standin.client_id)
    monkeypatch.setenv("SOCIALBOT_REDDIT_BRAND_CLIENT_SECRET", standin.client_secret)
    monkeypatch.setenv("SOCIALBOT_REDDIT_BRAND_REFRESH_TOKEN", token)
    for var in ("OAUTH_URL", "URL", "SHORT_URL"):
        monkeypatch.setenv(f"SOCIALBOT_REDDIT_{var}", standin.base_url)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1, result.output
    (line,) = [ln for ln in result.output.splitlines() if "FAIL reddit profile 'brand'" in ln]
    assert "SOCIALBOT_REDDIT_BRAND_REFRESH_TOKEN" in line
    assert "socialbot auth reddit --profile brand" in line
    assert token not in result.output and standin.client_secret not in result.output
    assert "Traceback" not in result.output


def test_doctor_names_missing_variables_of_a_half_configured_profile(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCIALBOT_X_BRAND_API_KEY", "key-only")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "x profile 'brand': missing SOCIALBOT_X_BRAND_API_SECRET" in result.output
    assert "key-only" not in result.output


def test_doctor_with_nothing_configured_says_the_sandbox_needs_nothing(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0
    assert "sandbox needs none" in result.output


def test_auth_x_without_the_app_key_names_the_variables(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["auth", "x", "--profile", "brand"])
    assert result.exit_code != 0
    assert "SOCIALBOT_X_BRAND_API_KEY" in result.output
    assert "Traceback" not in result.output


def test_auth_x_with_a_wrong_pin_says_so_without_a_traceback(monkeypatch, tmp_path):
    from tests.fakes.x_api import XApiStandIn

    monkeypatch.chdir(tmp_path)
    with XApiStandIn() as x:
        monkeypatch.setenv("SOCIALBOT_X_API_KEY", x.api_key)
        monkeypatch.setenv("SOCIALBOT_X_API_SECRET", x.api_secret)
        monkeypatch.setenv("SOCIALBOT_X_API_URL", x.base_url)
        result = CliRunner().invoke(main, ["auth", "x"], input="0000000\n")
    assert result.exit_code != 0
    assert "/oauth/authorize?oauth_token=" in result.output  # the URL to open was shown
    assert "PIN" in result.output and "Traceback" not in result.output
    assert x.api_secret not in result.output


@pytest.mark.parametrize("port", ["0", "99999", "-1", "http"])
def test_auth_reddit_refuses_a_port_that_cannot_be_one(port):
    result = CliRunner().invoke(main, ["auth", "reddit", "--port", port])
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.output and "internal error" not in result.output
