#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries are there for the tests' throwaway cluster (tests/pg.py); run by `make test`.
# As root on Debian it installs the `postgresql` package when initdb is missing; otherwise it only says what to do
# and exits 0: the PostgreSQL tests then fail (never skip) with the same advice.
set -euo pipefail

if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_postgres: PostgreSQL's server (initdb) is not installed and this is not root, so it is not installed" \
        "here: the PostgreSQL tests will fail. Install it with 'sudo apt-get install postgresql' (Debian/Ubuntu)" \
        "or run 'sudo tools/ensure_postgres.sh'." >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "ensure_postgres: PostgreSQL's server (initdb) is not installed and there is no apt-get: install PostgreSQL" \
        "with this system's package manager, or the PostgreSQL tests will fail." >&2
    exit 0
fi

echo "ensure_postgres: installing Debian's postgresql package (apt-get) for the PostgreSQL tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } \
    >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "ensure_postgres: apt-get could not install postgresql (above): the PostgreSQL tests will fail." >&2
fi
exit 0
