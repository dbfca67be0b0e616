"""Train, convert, log, register and export rightsize's default model."""

DEFAULT_MODEL_NAME = "breast-cancer-gbt"
DEFAULT_ALIAS = "champion"
