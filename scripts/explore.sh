#!/usr/bin/env bash
# Install guanxi in a virtual environment (first run, or when its dependencies changed) and open
# the explorer on generated demo data.
# Usage: bash scripts/explore.sh [streamlit options, e.g. --server.port 8502]
# Settings for bank users (no Deploy button or developer menu, no usage statistics, no tracebacks
# in the browser) are in .streamlit/config.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/venv.sh
. scripts/venv.sh
ensure_venv app,neo4j test
exec .venv/bin/python -m streamlit run app.py "$@"
