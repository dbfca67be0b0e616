// model/golden/breast-cancer-gbt.json: held-out rows with scikit-learn's labels and probabilities.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GOLDEN_FILE } from './paths.js';

export const GoldenSchema = z.object({
  model: z.string(),
  version: z.string(),
  features: z.array(z.string()),
  classes: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.number())),
  labels: z.array(z.string()),
  probabilities: z.array(z.array(z.number())),
});
export type Golden = z.infer<typeof GoldenSchema>;

export function readGolden(): Golden {
  return GoldenSchema.parse(JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')));
}
