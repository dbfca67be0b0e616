"""Drives the API with tritonclient (the Open Inference Protocol's reference HTTP client) and
compares its answers with the golden file (issue 17).

    .cache/contract-venv/bin/python inference-api/test/tools/oip_client.py \
        --url 127.0.0.1:8000 --golden model/golden/breast-cancer-gbt.json [--rows 5]

Checks server/model health and metadata, then infers with inputs as JSON and as binary tensor
data, outputs as JSON and as binary (and the client's default, all binary), and compares labels
and probabilities. Prints one line per check; exits 1 with every mismatch listed, 2 on usage or
connection errors.
"""

import argparse
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

OUTPUTS = ["label", "probability_benign", "probability_malignant"]
TOLERANCE = 1e-5  # float32 tree sums differ in the 7th digit with thread count (README)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="host:port of the API")
    parser.add_argument("--golden", required=True)
    parser.add_argument("--model", default="breast-cancer-gbt")
    parser.add_argument("--rows", type=int, default=5)
    args = parser.parse_args()

    with open(args.golden, encoding="utf-8") as f:
        golden = json.load(f)
    features = golden["features"]
    n = min(args.rows, len(golden["rows"]))
    x = np.array([[row[f] for f in features] for row in golden["rows"][:n]], dtype=np.float32)
    labels = golden["labels"][:n]
    probabilities = np.array(golden["probabilities"][:n], dtype=np.float64)

    client = httpclient.InferenceServerClient(url=args.url)
    problems: list[str] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{f': {detail}' if detail and not ok else ''}")
        if not ok:
            problems.append(f"{name}: {detail}")

    try:
        check("server live", client.is_server_live())
        check("server ready", client.is_server_ready())
        check("model ready", client.is_model_ready(args.model))
        server = client.get_server_metadata()
        check("server metadata lists binary_tensor_data", "binary_tensor_data" in server.get("extensions", []), json.dumps(server))
        meta = client.get_model_metadata(args.model)
        check("model metadata name", meta.get("name") == args.model, json.dumps(meta))
        check(
            "model metadata input",
            meta.get("inputs") == [{"name": "input", "datatype": "FP32", "shape": [-1, len(features)]}],
            json.dumps(meta.get("inputs")),
        )
        check("model metadata outputs", [o["name"] for o in meta.get("outputs", [])] == OUTPUTS, json.dumps(meta.get("outputs")))

        for binary_in in (False, True):
            for binary_out in (False, True, None):
                inp = httpclient.InferInput("input", list(x.shape), "FP32")
                inp.set_data_from_numpy(x, binary_data=binary_in)
                # None: no outputs listed, so the client asks for every output in binary.
                outputs = None if binary_out is None else [httpclient.InferRequestedOutput(o, binary_data=binary_out) for o in OUTPUTS]
                case = f"infer inputs={'binary' if binary_in else 'json'} outputs={'default (binary)' if binary_out is None else 'binary' if binary_out else 'json'}"
                result = client.infer(args.model, [inp], outputs=outputs, request_id=f"{int(binary_in)}{binary_out}")
                compare(case, result, labels, probabilities, check)

        inp = httpclient.InferInput("input", list(x.shape), "FP32")
        inp.set_data_from_numpy(x, binary_data=True)
        result = client.infer(args.model, [inp], model_version="1", outputs=[httpclient.InferRequestedOutput("label", binary_data=True)])
        got = [v.decode() for v in result.as_numpy("label").tolist()]
        check("infer /versions/1 label only", got == labels, f"labels {got} != {labels}")

        try:
            client.get_model_metadata("no-such-model")
            check("unknown model is refused", False, "got metadata for no-such-model")
        except InferenceServerException as e:
            check("unknown model is refused", e.status() == "404", f"status {e.status()}: {e.message()}")
    except InferenceServerException as e:
        problems.append(f"request failed: [{e.status()}] {e.message()}")
        print(f"FAIL request failed: [{e.status()}] {e.message()}")
    except OSError as e:
        print(f"cannot reach {args.url}: {e}", file=sys.stderr)
        return 2

    if problems:
        print(f"\n{len(problems)} mismatch(es) against {args.golden}:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"\nall checks passed ({n} golden rows)")
    return 0


def compare(case, result, labels, probabilities, check) -> None:
    raw = result.as_numpy("label")
    got = [v.decode() if isinstance(v, bytes) else str(v) for v in raw.tolist()]
    check(f"{case}: labels", got == labels, f"{got} != {labels}")
    for j, name in enumerate(OUTPUTS[1:]):
        values = result.as_numpy(name)
        if values is None or values.dtype != np.float32 or values.shape != (len(labels),):
            check(f"{case}: {name}", False, f"expected float32 [{len(labels)}], got {None if values is None else (values.dtype, values.shape)}")
            continue
        worst = float(np.max(np.abs(values.astype(np.float64) - probabilities[:, j])))
        check(f"{case}: {name}", worst <= TOLERANCE, f"max |difference| {worst:.3g} > {TOLERANCE}")


if __name__ == "__main__":
    sys.exit(main())
