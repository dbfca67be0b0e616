/** The images the Docker tier uses: what `npm run images -- --offline` builds. */
export const API_IMAGE = 'rightsize-api:latest';
export const MLFLOW_SERVE_IMAGE = 'rightsize-mlflow-serve:latest';
export const FASTAPI_IMAGE = 'rightsize-fastapi:latest';
export const LB_IMAGE = 'haproxy:2.6';
export const K6_IMAGE = 'grafana/k6:1.8.1';
export const MLFLOW_IMAGE = 'ghcr.io/mlflow/mlflow:v3.17.2';
export const MODEL_IMAGE = 'rightsize-model:0.1.0';
export const DEBIAN_IMAGE = 'debian:bookworm-slim';
export const NODE_IMAGE = 'node:24-bookworm-slim';
