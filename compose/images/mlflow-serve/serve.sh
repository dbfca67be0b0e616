#!/bin/bash
# rightsize-mlflow-serve's entrypoint: `mlflow models serve` on the baked model, configured from
# the environment (empty = default, as compose passes unset knobs):
#   PORT (8000), HOST (0.0.0.0), MLFLOW_SERVE_WORKERS (1: uvicorn workers, one process each).
# Why a wrapper and not `exec mlflow`: PID 1 ignores signals it has no handler for, and the
# mlflow CLI installs none, so `docker stop` would wait out its grace period and SIGKILL. Here
# SIGTERM/SIGINT go to the CLI, whose uvicorn child follows it (MLflow sets PR_SET_PDEATHSIG).
set -euo pipefail

workers="${MLFLOW_SERVE_WORKERS:-1}"
port="${PORT:-8000}"
host="${HOST:-0.0.0.0}"
problems=()
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || problems+=("MLFLOW_SERVE_WORKERS=$workers: expected a whole number >= 1")
[[ "$port" =~ ^[1-9][0-9]*$ ]] && (( port <= 65535 )) || problems+=("PORT=$port: expected a port number")
if (( ${#problems[@]} > 0 )); then
  printf 'rightsize-mlflow-serve: bad configuration:\n' >&2
  printf '  %s\n' "${problems[@]}" >&2
  exit 64
fi

echo "rightsize-mlflow-serve: mlflow models serve -m /model on ${host}:${port}, ${workers} worker(s), ONNX Runtime threads intra 1 / inter 1 per worker" >&2
mlflow models serve -m /model --env-manager local -h "$host" -p "$port" --workers "$workers" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
# the first wait returns early when a trapped signal arrives; the second collects the exit status
wait "$child" || true
wait "$child"
