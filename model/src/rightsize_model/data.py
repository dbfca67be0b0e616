"""The dataset: scikit-learn's bundled Wisconsin breast-cancer table (569 rows, 30 named
features, no download). Class labels are the target names, so the ONNX label output is a
string tensor and probability outputs can be named after the class."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

SEED = 42
TEST_SIZE = 0.25


@dataclass(frozen=True)
class Split:
    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    classes: list[str]


def load_split() -> Split:
    bunch = load_breast_cancer(as_frame=True)
    x: pd.DataFrame = bunch.data.astype("float64")
    names = [str(n) for n in bunch.target_names]
    y = bunch.target.map(lambda i: names[int(i)]).astype(str).rename("diagnosis")
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_SIZE, random_state=SEED, stratify=y
    )
    return Split(x_train, x_test, y_train, y_test, sorted(names))
