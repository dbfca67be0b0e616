// Where tests find the repository's model, golden file, fixtures and the Python venv.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const API_DIR = join(REPO, 'inference-api');
export const SERVER_TS = join(API_DIR, 'src/server.ts');
export const DEFAULT_MODEL_DIR = join(REPO, 'model/artifacts/breast-cancer-gbt');
export const GOLDEN_FILE = join(REPO, 'model/golden/breast-cancer-gbt.json');
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const IRIS_MLP = join(FIXTURES, 'models/iris-mlp');
export const DIABETES_RIDGE = join(FIXTURES, 'models/diabetes-ridge');
export const VENV_BIN = join(REPO, 'model/.venv/bin');

/** Tests that run MLflow or scikit-learn need model/.venv; fail with the command that makes it. */
export function requireVenv(): string {
  if (!existsSync(join(VENV_BIN, 'python')) || !existsSync(join(VENV_BIN, 'mlflow'))) {
    throw new Error('model/.venv is missing (needed for MLflow parity and registry tests): run `npm run model:venv` at the repository root');
  }
  return VENV_BIN;
}
