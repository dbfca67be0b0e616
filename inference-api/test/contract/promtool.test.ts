// Issue 17: /metrics is Prometheus's text exposition as Prometheus's own linter reads it:
// `promtool check metrics` exits 0 and prints no problem (counter names, HELP/TYPE, units).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { requireTool } from '@rightsize/compose/testing';
import { createTestApp } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';

it('the /metrics exposition passes promtool check metrics with no lint problem', async (t) => {
  const promtool = requireTool(t, { name: 'promtool', candidates: ['/usr/bin/promtool', '/usr/local/bin/promtool'], hint: 'apt-get install prometheus (`npm run setup` does)' });
  if (!promtool) return;
  const app = await createTestApp(t);
  const json = { 'content-type': 'application/json' };
  assert.equal((await app.inject({ method: 'POST', url: '/predict', headers: json, payload: JSON.stringify(readGolden().rows[0]) })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/predict', headers: json, payload: '{}' })).statusCode, 400);
  const metrics = await app.inject('/metrics');
  assert.equal(metrics.statusCode, 200);
  const check = spawnSync(promtool, ['check', 'metrics'], { input: metrics.body, encoding: 'utf8' });
  const said = `${check.stdout}${check.stderr}`.trim();
  assert.equal(check.status, 0, `promtool check metrics exited ${check.status}:\n${said}`);
  assert.equal(said, '', `promtool printed problems:\n${said}`);
});
