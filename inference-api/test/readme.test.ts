// The README documents every environment variable and every error code the code knows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { EnvSchema } from '../src/config.js';
import { ERRORS } from '../src/errors.js';
import { API_DIR } from './helpers/paths.js';

const readme = readFileSync(join(API_DIR, 'README.md'), 'utf8');

it('lists every environment variable in the configuration table', () => {
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## How it works'));
  const missing = Object.keys(EnvSchema.shape).filter((name) => !table.includes(`\`${name}\``));
  assert.deepEqual(missing, []);
});

it('lists every error code', () => {
  const missing = Object.keys(ERRORS).filter((code) => !readme.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});
