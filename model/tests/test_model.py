"""The conversion keeps scikit-learn's answers and yields a graph MLflow can serve."""

import json
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from sklearn.ensemble import GradientBoostingClassifier

from rightsize_model.convert import INPUT_NAME, output_name_for, to_serving_onnx
from rightsize_model.data import load_split
from rightsize_model.train import HYPERPARAMS

MODEL_DIR = Path(__file__).resolve().parents[1]
ARTIFACT = MODEL_DIR / "artifacts" / "breast-cancer-gbt"
GOLDEN = MODEL_DIR / "golden" / "breast-cancer-gbt.json"


@pytest.fixture(scope="module")
def trained():
    split = load_split()
    model = GradientBoostingClassifier(**{**HYPERPARAMS, "n_estimators": 100}).fit(split.x_train, split.y_train)
    return split, model


def test_dataset_is_real_and_wide_enough():
    split = load_split()
    assert split.x_train.shape[1] >= 10
    assert len(split.x_train) + len(split.x_test) == 569
    assert split.classes == ["benign", "malignant"]


def test_onnx_outputs_are_plain_per_class_tensors_without_zipmap(trained):
    split, model = trained
    onx = to_serving_onnx(model, split.x_train.values[:1], split.classes, "test")
    assert [o.name for o in onx.graph.output] == ["label", "probability_benign", "probability_malignant"]
    assert all(n.op_type != "ZipMap" for n in onx.graph.node)
    assert onx.graph.input[0].name == INPUT_NAME


def test_onnx_matches_sklearn_on_held_out_rows(trained):
    split, model = trained
    onx = to_serving_onnx(model, split.x_train.values[:1], split.classes, "test")
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outs = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {INPUT_NAME: split.x_test.values.astype(np.float32)})))
    assert list(outs["label"]) == list(model.predict(split.x_test))
    proba = model.predict_proba(split.x_test)
    for i, cls in enumerate(split.classes):
        assert np.abs(outs[output_name_for(cls)] - proba[:, i]).max() < 1e-5


def test_committed_artifact_is_an_mlflow_onnx_model_with_a_named_signature():
    model = mlflow.pyfunc.load_model(str(ARTIFACT))
    names = model.metadata.get_input_schema().input_names()
    golden = json.loads(GOLDEN.read_text())
    assert names == golden["features"]
    onx = onnx.load(str(ARTIFACT / "model.onnx"))
    trees = [n for n in onx.graph.node if n.op_type == "TreeEnsembleClassifier"]
    assert len(trees) == 1
    n_trees = len(set(next(a for a in trees[0].attribute if a.name == "nodes_treeids").ints))
    assert n_trees >= 100


def test_committed_artifact_reproduces_golden_outputs_through_mlflow_pyfunc():
    import pandas as pd

    golden = json.loads(GOLDEN.read_text())
    model = mlflow.pyfunc.load_model(str(ARTIFACT))
    frame = pd.DataFrame(golden["rows"], columns=golden["features"])
    pred = model.predict(frame)
    assert list(pred["label"]) == golden["labels"]
    proba = np.array(golden["probabilities"])
    assert np.abs(pred["probability_benign"].to_numpy() - proba[:, 0]).max() < 1e-5
    assert np.abs(pred["probability_malignant"].to_numpy() - proba[:, 1]).max() < 1e-5
