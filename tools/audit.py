"""Known vulnerabilities in the installed dependencies, from PyPI's JSON API (run by `make lint`).

pip-audit asks PyPI for ``/pypi/NAME/VERSION/json`` or asks OSV; on networks that reach only the package
registries (CI here) neither answers, and pip-audit then reports nothing useful. PyPI's project page
``/pypi/NAME/json`` does answer: it lists the known vulnerabilities of the project's *latest* release
(with the versions that fix them). So:

- an installed distribution at the latest release is checked: any vulnerability listed fails the run;
- one older than the latest cannot be checked this way (a dependency's upper bound holds it back):
  it is listed as unchecked, with the latest version, and fails the run only with ``--strict``;
- when PyPI cannot be reached at all, every distribution is unchecked and the run says so loudly.

`make audit` runs the full pip-audit (OSV) where that service is reachable.

    python tools/audit.py [--strict] [--skip NAME ...]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PYPI = "https://pypi.org/pypi/{name}/json"  # AUDIT_PYPI_JSON_URL overrides it (a mirror, or the tests' stand-in)
TIMEOUT = 15


@dataclass
class Finding:
    name: str
    installed: str
    latest: str | None = None
    vulnerabilities: list[dict] = field(default_factory=list)
    unchecked: str | None = None  # why it could not be checked


def installed(skip: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if not name or name in skip:
            continue
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
        if (direct.get("dir_info") or {}).get("editable"):
            continue  # the project itself, installed with -e
        out.setdefault(name, dist.version)  # the first on sys.path is the one Python imports
    return out


def check(name: str, version: str) -> Finding:
    finding = Finding(name, version)
    try:
        url = os.environ.get("AUDIT_PYPI_JSON_URL", PYPI).format(name=name)
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:
            body = json.load(answer)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        finding.unchecked = f"PyPI did not answer ({getattr(exc, 'reason', None) or exc})"
        return finding
    finding.latest = str((body.get("info") or {}).get("version") or "")
    if finding.latest != version:
        finding.unchecked = f"older than the latest release {finding.latest}; only the latest can be checked here"
        return finding
    finding.vulnerabilities = [v for v in body.get("vulnerabilities") or () if not v.get("withdrawn")]
    return finding


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="fail when any distribution could not be checked")
    parser.add_argument("--skip", nargs="*", default=[], help="distribution names not to check")
    args = parser.parse_args(argv)
    dists = installed({s.lower() for s in args.skip})
    with ThreadPoolExecutor(8) as pool:
        findings = list(pool.map(lambda item: check(*item), sorted(dists.items())))
    vulnerable = [f for f in findings if f.vulnerabilities]
    unchecked = [f for f in findings if f.unchecked]
    for f in vulnerable:
        for v in f.vulnerabilities:
            fixed = ", ".join(v.get("fixed_in") or ()) or "no fixed release yet"
            aliases = ", ".join(v.get("aliases") or ())
            print(f"VULNERABLE {f.name} {f.installed}: {v.get('id')} ({aliases}) fixed in {fixed}")
    for f in unchecked:
        print(f"unchecked  {f.name} {f.installed}: {f.unchecked}")
    checked = len(findings) - len(unchecked)
    print(
        f"audit: {checked} of {len(findings)} installed distributions checked against PyPI's advisories, "
        f"{len(vulnerable)} vulnerable, {len(unchecked)} unchecked"
    )
    if checked == 0 and findings:
        print("audit: WARNING: nothing could be checked (is PyPI reachable?)", file=sys.stderr)
    if vulnerable:
        return 1
    return 1 if args.strict and unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
