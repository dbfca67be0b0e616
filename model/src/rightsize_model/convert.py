"""scikit-learn -> ONNX, shaped so that `mlflow models serve` can score it.

skl2onnx with zipmap=False yields `label` [N] and a plain `probabilities` [N, k] tensor.
MLflow's ONNX pyfunc (mlflow/onnx/__init__.py, `_OnnxModelWrapper.predict`) flattens every
output with reshape(-1) and builds a DataFrame from them, so an [N, k] output next to an [N]
label raises "All arrays must be of the same length" (checked with mlflow 3.17.2). We append
Split + Squeeze so the graph also exposes one [N] float tensor per class,
`probability_<class>`, and drop the [N, k] output from the graph outputs: every output is a
plain tensor, and MLflow, onnxruntime and our API all read the same graph.
"""

from __future__ import annotations

import re

import numpy as np
import onnx
from onnx import helper
from skl2onnx import to_onnx

TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
INPUT_NAME = "input"


def output_name_for(cls: str) -> str:
    return "probability_" + re.sub(r"[^0-9A-Za-z_]+", "_", cls)


def to_serving_onnx(model, x_sample: np.ndarray, classes: list[str], doc: str) -> onnx.ModelProto:
    onx = to_onnx(
        model,
        x_sample.astype(np.float32),
        options={id(model): {"zipmap": False}},
        target_opset=TARGET_OPSET,
        final_types=None,
    )
    graph = onx.graph
    graph.input[0].name = _rename_input(graph, INPUT_NAME)
    probs = next(o for o in graph.output if o.name == "probabilities")
    k = len(classes)
    split_outs = [f"_split_{i}" for i in range(k)]
    graph.node.append(helper.make_node("Split", ["probabilities"], split_outs, axis=1, num_outputs=k, name="split_probabilities")
                      if _opset(onx) >= 18 else
                      helper.make_node("Split", ["probabilities"], split_outs, axis=1, name="split_probabilities"))
    axes = helper.make_tensor("_squeeze_axes", onnx.TensorProto.INT64, [1], [1])
    graph.initializer.append(axes)
    new_outputs = [o for o in graph.output if o.name != "probabilities"]
    for i, cls in enumerate(classes):
        name = output_name_for(cls)
        graph.node.append(helper.make_node("Squeeze", [split_outs[i], "_squeeze_axes"], [name], name=f"squeeze_{name}"))
        new_outputs.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, ["N"]))
    del graph.output[:]
    graph.output.extend(new_outputs)
    del probs
    onx.doc_string = doc
    onx.producer_name = "rightsize-model/skl2onnx"
    helper.set_model_props(onx, {"class_labels": ",".join(classes), "framework": "scikit-learn"})
    onnx.checker.check_model(onx)
    return onx


def _opset(onx: onnx.ModelProto) -> int:
    return next(o.version for o in onx.opset_import if o.domain in ("", "ai.onnx"))


def _rename_input(graph: onnx.GraphProto, new: str) -> str:
    old = graph.input[0].name
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new
    return new
