#!/bin/bash
# rightsize-fastapi's entrypoint: uvicorn on app.py (the workshop's FastAPI server), configured
# from the environment (empty = default, as compose passes unset knobs): PORT (8000),
# HOST (0.0.0.0). One worker, one process: `exec` makes uvicorn PID 1, and uvicorn handles
# SIGTERM itself (graceful shutdown), so `docker stop` ends it promptly.
set -euo pipefail

port="${PORT:-8000}"
host="${HOST:-0.0.0.0}"
if ! [[ "$port" =~ ^[1-9][0-9]*$ ]] || (( port > 65535 )); then
  printf 'rightsize-fastapi: bad configuration:\n  PORT=%s: expected a port number\n' "$port" >&2
  exit 64
fi

echo "rightsize-fastapi: uvicorn app:app on ${host}:${port}, 1 worker, model ${MODEL_PATH:-/model}, ONNX Runtime threads intra 1 / inter 1" >&2
exec uvicorn app:app --app-dir /opt/fastapi --host "$host" --port "$port" --workers 1
