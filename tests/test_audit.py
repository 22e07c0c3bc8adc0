"""tools/audit.py against a stand-in of PyPI's JSON API on 127.0.0.1: it fails on a listed vulnerability."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _audit():
    spec = importlib.util.spec_from_file_location("audit", ROOT / "tools" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pypi(monkeypatch):
    """Answers /pypi/NAME/json: the installed version as the latest, with ``vulnerable`` listing advisories."""
    import importlib.metadata

    state: dict[str, list] = {"vulnerable": [], "older": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.split("/")[2]
            version = importlib.metadata.version(name)
            if name in state["older"]:
                version = "999.0"
            vulns = []
            if name in state["vulnerable"]:
                vulns = [{"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fixed_in": ["999.0"]}]
            body = json.dumps({"info": {"version": version}, "vulnerabilities": vulns}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AUDIT_PYPI_JSON_URL", f"http://127.0.0.1:{server.server_port}/pypi/{{name}}/json")
    yield state
    server.shutdown()
    server.server_close()


def test_the_audit_passes_when_no_installed_release_has_an_advisory(pypi, capsys):
    assert _audit().main([]) == 0
    out = capsys.readouterr().out
    assert "0 vulnerable, 0 unchecked" in out and "socialbot" not in out.split("audit:")[0]


def test_the_audit_fails_on_a_listed_vulnerability_and_names_the_fix(pypi, capsys):
    pypi["vulnerable"].append("jinja2")
    assert _audit().main([]) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE jinja2" in out and "PYSEC-2099-1 (CVE-2099-0001) fixed in 999.0" in out


def test_an_older_release_is_unchecked_and_fails_only_when_strict(pypi, capsys):
    pypi["older"].append("click")
    assert _audit().main([]) == 0
    assert "unchecked  click" in capsys.readouterr().out
    assert _audit().main(["--strict"]) == 1


def test_an_unreachable_index_checks_nothing_and_says_so(monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_PYPI_JSON_URL", "http://127.0.0.1:9/pypi/{name}/json")
    assert _audit().main(["--strict"]) == 1
    captured = capsys.readouterr()
    assert "nothing could be checked" in captured.err
