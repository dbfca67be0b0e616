"""Train the default model, convert it to ONNX, log and register it in MLflow, set the
`champion` alias, and export the MLflow model directory (plus golden outputs and load-test
payloads) into the repository.

    python -m rightsize_model.train [--model-name NAME] [--alias champion] [--no-export]

MLFLOW_TRACKING_URI selects the tracking server; without it a local `mlflow server` is
started on 127.0.0.1 with its state in model/.mlflow/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import mlflow
import mlflow.onnx
import numpy as np
import onnxruntime as ort
from mlflow import MlflowClient
from mlflow.models import ModelSignature, infer_signature
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

from . import DEFAULT_ALIAS, DEFAULT_MODEL_NAME
from .convert import INPUT_NAME, output_name_for, to_serving_onnx
from .data import SEED, load_split
from .mlflow_server import local_server

MODEL_DIR = Path(__file__).resolve().parents[2]
REPO = MODEL_DIR.parent
HYPERPARAMS = {"n_estimators": 200, "max_depth": 3, "learning_rate": 0.05, "subsample": 1.0, "random_state": SEED}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="model:train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-name", default=DEFAULT_MODEL_NAME)
    p.add_argument("--alias", default=DEFAULT_ALIAS)
    p.add_argument("--experiment", default="rightsize")
    p.add_argument("--export-dir", type=Path, default=MODEL_DIR / "artifacts", help="where the MLflow model folder is copied")
    p.add_argument("--golden-dir", type=Path, default=MODEL_DIR / "golden")
    p.add_argument("--payloads", type=Path, default=REPO / "loadtest" / "data" / "payloads.json")
    p.add_argument("--no-export", action="store_true", help="register only; leave the repository's files alone")
    p.add_argument("--state-dir", type=Path, default=MODEL_DIR / ".mlflow", help="local server state when MLFLOW_TRACKING_URI is unset")
    return p.parse_args(argv)


def train_and_register(args: argparse.Namespace, tracking_uri: str) -> dict:
    split = load_split()
    model = GradientBoostingClassifier(**HYPERPARAMS).fit(split.x_train, split.y_train)
    if list(model.classes_) != split.classes:
        raise RuntimeError(f"unexpected class order {model.classes_}")
    proba = model.predict_proba(split.x_test)
    metrics = {
        "test_accuracy": float(accuracy_score(split.y_test, model.predict(split.x_test))),
        "test_log_loss": float(log_loss(split.y_test, proba, labels=split.classes)),
        "test_roc_auc": float(roc_auc_score((split.y_test == split.classes[1]).astype(int), proba[:, 1])),
    }
    doc = f"GradientBoostingClassifier({HYPERPARAMS}) on scikit-learn's breast-cancer dataset"
    onx = to_serving_onnx(model, split.x_train.values[:1], split.classes, doc)
    check_onnx_parity(onx, model, split)

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(args.experiment)
    signature = ModelSignature(inputs=infer_signature(split.x_train).inputs)
    with mlflow.start_run(run_name=f"{args.model_name}-train") as run:
        mlflow.log_params({**HYPERPARAMS, "dataset": "sklearn.datasets.load_breast_cancer", "test_size": 0.25})
        mlflow.log_metrics(metrics)
        info = mlflow.onnx.log_model(
            onx,
            name="model",
            signature=signature,
            input_example=split.x_test.iloc[:3],
            registered_model_name=args.model_name,
            save_as_external_data=True,
            metadata={"class_labels": split.classes, "task": "classification", "dataset": "breast_cancer"},
        )
    client = MlflowClient(tracking_uri)
    version = str(info.registered_model_version)
    client.set_registered_model_alias(args.model_name, args.alias, version)
    print(f"registered {args.model_name} version {version} (alias {args.alias}) run {run.info.run_id} at {tracking_uri}")
    return {"split": split, "model": model, "version": version, "run_id": run.info.run_id, "metrics": metrics}


def check_onnx_parity(onx, model, split) -> None:
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = sess.run(None, {INPUT_NAME: split.x_test.values.astype(np.float32)})
    names = [o.name for o in sess.get_outputs()]
    labels = outs[names.index("label")]
    proba = model.predict_proba(split.x_test)
    if not np.array_equal(labels.astype(str), model.predict(split.x_test).astype(str)):
        raise RuntimeError("ONNX labels differ from scikit-learn's on held-out rows")
    for i, cls in enumerate(split.classes):
        diff = float(np.abs(outs[names.index(output_name_for(cls))] - proba[:, i]).max())
        if diff > 1e-5:
            raise RuntimeError(f"ONNX probability for {cls} differs from scikit-learn by {diff}")


def export(args: argparse.Namespace, tracking_uri: str, result: dict) -> None:
    dest = args.export_dir / args.model_name
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{args.model_name}@{args.alias}", dst_path=tmp, tracking_uri=tracking_uri
        )
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(local, dest)
    # tempfile's 0700 mode would follow the copy into the image and the repository.
    dest.chmod(0o755)
    split, model = result["split"], result["model"]
    proba = model.predict_proba(split.x_test)
    features = list(split.x_test.columns)
    rows = [{k: float(v) for k, v in zip(features, r)} for r in split.x_test.values.tolist()]
    golden = {
        "model": args.model_name,
        "version": result["version"],
        "features": features,
        "classes": split.classes,
        "metrics": result["metrics"],
        "source": "scikit-learn predict / predict_proba on the held-out rows (float64)",
        "rows": rows,
        "labels": [str(v) for v in model.predict(split.x_test)],
        "probabilities": proba.tolist(),
        "truth": [str(v) for v in split.y_test],
    }
    args.golden_dir.mkdir(parents=True, exist_ok=True)
    (args.golden_dir / f"{args.model_name}.json").write_text(json.dumps(golden, indent=1) + "\n")
    args.payloads.parent.mkdir(parents=True, exist_ok=True)
    args.payloads.write_text(json.dumps({"model": args.model_name, "features": features, "rows": rows}) + "\n")
    print(f"exported {dest}, {args.golden_dir / (args.model_name + '.json')}, {args.payloads}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if uri:
        result = train_and_register(args, uri)
        if not args.no_export:
            export(args, uri, result)
        return 0
    print(f"MLFLOW_TRACKING_URI is unset: starting a local mlflow server with state in {args.state_dir}", file=sys.stderr)
    with local_server(args.state_dir) as uri:
        result = train_and_register(args, uri)
        if not args.no_export:
            export(args, uri, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
