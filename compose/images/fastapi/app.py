"""The FastAPI server an ML workshop would write around the committed model (rightsize-fastapi).

One row of named features in, one flat prediction out. The model is loaded at import, so
uvicorn binds its port only once it is ready: /health answering at all means ready.
"""
import os

import mlflow.pyfunc
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

model = mlflow.pyfunc.load_model(os.environ.get("MODEL_PATH") or "/model")
COLUMNS = model.metadata.get_input_schema().input_names()


class Features(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    mean_radius: float = Field(alias="mean radius")
    mean_texture: float = Field(alias="mean texture")
    mean_perimeter: float = Field(alias="mean perimeter")
    mean_area: float = Field(alias="mean area")
    mean_smoothness: float = Field(alias="mean smoothness")
    mean_compactness: float = Field(alias="mean compactness")
    mean_concavity: float = Field(alias="mean concavity")
    mean_concave_points: float = Field(alias="mean concave points")
    mean_symmetry: float = Field(alias="mean symmetry")
    mean_fractal_dimension: float = Field(alias="mean fractal dimension")
    radius_error: float = Field(alias="radius error")
    texture_error: float = Field(alias="texture error")
    perimeter_error: float = Field(alias="perimeter error")
    area_error: float = Field(alias="area error")
    smoothness_error: float = Field(alias="smoothness error")
    compactness_error: float = Field(alias="compactness error")
    concavity_error: float = Field(alias="concavity error")
    concave_points_error: float = Field(alias="concave points error")
    symmetry_error: float = Field(alias="symmetry error")
    fractal_dimension_error: float = Field(alias="fractal dimension error")
    worst_radius: float = Field(alias="worst radius")
    worst_texture: float = Field(alias="worst texture")
    worst_perimeter: float = Field(alias="worst perimeter")
    worst_area: float = Field(alias="worst area")
    worst_smoothness: float = Field(alias="worst smoothness")
    worst_compactness: float = Field(alias="worst compactness")
    worst_concavity: float = Field(alias="worst concavity")
    worst_concave_points: float = Field(alias="worst concave points")
    worst_symmetry: float = Field(alias="worst symmetry")
    worst_fractal_dimension: float = Field(alias="worst fractal dimension")


class Prediction(BaseModel):
    label: str
    probability_benign: float
    probability_malignant: float


app = FastAPI(title="breast-cancer-gbt")


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/predict", response_model=Prediction)
def predict(features: Features) -> Prediction:
    # one row, in the column order of the model's signature
    row = pd.DataFrame([features.model_dump(by_alias=True)], columns=COLUMNS)
    out = model.predict(row).iloc[0]
    return Prediction(
        label=out["label"],
        probability_benign=float(out["probability_benign"]),
        probability_malignant=float(out["probability_malignant"]),
    )
