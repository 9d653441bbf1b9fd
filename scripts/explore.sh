#!/usr/bin/env bash
# Install guanxi in a virtual environment and open the explorer on generated demo data.
# Usage: bash scripts/explore.sh [streamlit options, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/python -m streamlit run app.py --browser.gatherUsageStats false "$@"
