#!/usr/bin/env bash
# Install what the tests need and run the whole suite: lint, types, and pytest
# against both stores (a real Neo4j 5.26 server is built from Maven Central and
# started by the tests) and a real headless Chromium.
# pytest also runs the packages' doctests (pyproject.toml: --doctest-modules).
# Usage: bash scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."
# .venv with guanxi[test] at the versions CI saw (constraints.txt); pip runs only when
# pyproject.toml or constraints.txt changed since the last install (scripts/venv.sh)
# shellcheck source=scripts/venv.sh
. scripts/venv.sh
ensure_venv test

# Debian packages the suite needs, installed only when missing (sudo when not root).
apt_install() {
  local sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}
HAVE_APT=""
if command -v apt-get >/dev/null 2>&1; then HAVE_APT=1; fi

# Headless Chromium for the browser test (Debian's package; Playwright drives it).
if [ -z "${GUANXI_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ -n "$HAVE_APT" ]; then
    echo "installing Debian's chromium for the browser test ..."
    apt_install chromium fonts-wqy-microhei
  else
    echo "warning: no chromium and no apt-get; set GUANXI_CHROMIUM to a Chromium binary" >&2
  fi
fi

# Java 17 runs, and Maven builds, the Neo4j test server from Maven Central jars.
NEED=()
command -v java >/dev/null 2>&1 || NEED+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || NEED+=(maven)
if [ "${#NEED[@]}" -gt 0 ] && [ -n "$HAVE_APT" ]; then
  echo "installing Debian's ${NEED[*]} for the Neo4j test server ..."
  apt_install "${NEED[@]}"
fi

# PostgreSQL for the lead-store tests (Debian's package; the tests start a throw-away cluster as the
# unprivileged 'postgres' user it creates, since PostgreSQL refuses to run as root).
if [ -z "${GUANXI_PG_BIN:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ -n "$HAVE_APT" ]; then
    echo "installing Debian's postgresql for the lead-store tests ..."
    apt_install postgresql
  else
    echo "warning: no PostgreSQL and no apt-get; set GUANXI_PG_BIN to a folder with initdb and pg_ctl" >&2
  fi
fi

export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check .
ruff format --check .
# mypy (a minute of one core, no cache in a fresh clone) runs beside pytest, which leaves a core idle
# while it collects, starts servers and waits on them; its report is printed after pytest's, and either
# failing fails the script.
MYPY_LOG="$(mktemp)"
mypy graph loaders queries guanxi ui leads app.py bench tests >"$MYPY_LOG" 2>&1 &
MYPY_PID=$!
# on any exit, an interrupted run included: no mypy left running, no log left behind
stop_mypy() {
  if [ -n "$MYPY_PID" ]; then kill "$MYPY_PID" 2>/dev/null || true; fi
  rm -f "$MYPY_LOG"
}
trap stop_mypy EXIT
echo "== pytest (mypy runs beside it)"
# Two workers (pytest-xdist): the suite is mostly Python on one core, and the machines have two. A file's
# tests stay together on one worker, which starts its own Neo4j server and PostgreSQL cluster when a test
# needs them (tests/conftest.py, work_unit_of). GUANXI_TEST_WORKERS=0 runs everything in this process.
PYTEST_STATUS=0
python -m pytest -n "${GUANXI_TEST_WORKERS:-2}" --dist loadgroup "$@" || PYTEST_STATUS=$?
MYPY_STATUS=0
wait "$MYPY_PID" || MYPY_STATUS=$?
MYPY_PID=""
echo "== mypy"
cat "$MYPY_LOG"
if [ "$PYTEST_STATUS" != 0 ]; then
  echo "pytest failed (exit $PYTEST_STATUS); mypy exit $MYPY_STATUS" >&2
  exit "$PYTEST_STATUS"
fi
exit "$MYPY_STATUS"
