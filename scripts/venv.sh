# Sourced by scripts/explore.sh and scripts/test.sh: make .venv and install guanxi into it,
# but only when something that decides the install changed.
#
#   ensure_venv EXTRAS [ALSO_OK]
#
# installs `-e ".[EXTRAS]"` with the versions pinned in constraints.txt when .venv is missing,
# or when pyproject.toml, constraints.txt or EXTRAS differ from what the last install recorded
# in .venv/.guanxi-install (a stamp). A later launch with nothing changed runs no pip at all:
# that is most of the explorer's start-up time otherwise. ALSO_OK names another extra whose
# install covers this one (the test extras include the explorer's), so the explorer does not
# reinstall after the tests did.
#
# GUANXI_REINSTALL=1 forces the install (e.g. after installing something by hand into .venv).

STAMP=.venv/.guanxi-install

install_digest() {
  # what the install depends on: the declared dependencies and the pinned versions
  cat pyproject.toml constraints.txt 2>/dev/null | sha256sum | cut -d' ' -f1
}

ensure_venv() {
  local extras="$1" also_ok="${2:-}" python="${PYTHON:-python3}" digest recorded
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
    rm -f "$STAMP"
  fi
  digest="$(install_digest)"
  recorded="$(cat "$STAMP" 2>/dev/null || true)"
  if [ "${GUANXI_REINSTALL:-}" != "1" ] && { [ "$recorded" = "$digest $extras" ] || { [ -n "$also_ok" ] && [ "$recorded" = "$digest $also_ok" ]; }; }; then
    return 0
  fi
  echo "installing guanxi[$extras] into .venv (pyproject.toml or constraints.txt changed, or a new .venv) ..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[$extras]"
  echo "$digest $extras" >"$STAMP"
}
