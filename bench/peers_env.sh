#!/usr/bin/env bash
# Throwaway virtualenv for the peer benchmark (bench/peers.py): pm4py (pandas and Polars
# modes) and retentioneering, with the libraries their scripts use.
#
#     bash bench/peers_env.sh            # creates or completes /tmp/parcours-peers-venv
#     PEERS_VENV=/somewhere bash bench/peers_env.sh
#
# These tools are NEVER dependencies of Parcours: pm4py is AGPL-3.0 and retentioneering has
# a non-commercial licence. They live only in this venv, outside the repository; nothing
# under src/ imports them, and bench/peer_pm4py.py and bench/peer_retentioneering.py only
# call them, run by this venv's python as child processes of bench/peers.py.
#
# Idempotent: an existing venv that already has the pinned versions is left as it is.
# The versions are pinned to the set measured together on Python 3.11 (both tools share
# one venv: retentioneering 5.x no longer pins old pandas/numpy). PEERS_UNPINNED=1 takes
# the newest versions instead (then report the printed versions with the results).
set -euo pipefail

VENV="${PEERS_VENV:-/tmp/parcours-peers-venv}"
PY="${PEERS_PYTHON:-python3}"

PINNED=(
  "pm4py==2.7.23.11"
  "retentioneering==5.2.4"
  "polars==2.1.0"
  "pyarrow==26.0.1"
  "pandas==3.1.1"
  "numpy==2.4.6"
  "duckdb==2.0.0"
  "pyyaml==6.0.3"
)
UNPINNED=(pm4py retentioneering polars pyarrow pandas numpy duckdb pyyaml)

if ! "$PY" -m uv --version >/dev/null 2>&1; then
  echo "installing uv for $PY (python3 -m pip install uv)" >&2
  "$PY" -m pip install --quiet uv
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m uv venv --quiet --python "$("$PY" -c 'import sys; print(sys.executable)')" "$VENV"
fi

if [ "${PEERS_UNPINNED:-}" = "1" ]; then
  "$PY" -m uv pip install --quiet --python "$VENV/bin/python" "${UNPINNED[@]}"
else
  "$PY" -m uv pip install --quiet --python "$VENV/bin/python" "${PINNED[@]}"
fi

# retentioneering 5 sends usage events to PostHog unless this is set; the peer scripts set
# it too, and this machine has no network beyond the package registries anyway.
RETENTIONEERING_NO_TRACK=1 "$VENV/bin/python" - <<'EOF'
import sys
from importlib import metadata
print(f"peers venv: {sys.prefix} (Python {sys.version.split()[0]})")
for dist in ("pm4py", "retentioneering", "polars", "pandas", "numpy", "pyarrow", "duckdb", "pyyaml"):
    try:
        print(f"  {dist}=={metadata.version(dist)}")
    except metadata.PackageNotFoundError:
        print(f"  {dist}: MISSING")
        sys.exit(1)
EOF
