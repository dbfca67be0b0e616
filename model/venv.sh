#!/usr/bin/env bash
# Creates model/.venv with the pinned requirements, once. Re-run is a no-op unless
# requirements.txt changed (its hash is stamped inside the venv).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null; then
  echo "model/venv.sh: $python not found; install Python 3.11+ or set PYTHON" >&2
  exit 1
fi
echo "model/venv.sh: creating $venv from requirements.txt (one-time, about 1-2 minutes)" >&2
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$here"
echo "$want" >"$stamp"
