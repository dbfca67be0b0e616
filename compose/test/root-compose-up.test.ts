// Docker tier: what a newcomer types first. `docker compose up -d` and `docker-compose up -d` in
// the repository root, with no -f (the root .env names the compose file), start the published
// API image behind the balancer and answer /predict. Ports, project name and owner label come
// from the environment, which Compose lets override the .env, so the test never takes a fixed
// port or another project's name; everything else is what the user gets.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { getComposeEnv } from '../src/config.js';
import { listComposeClis, PROJECT_LABEL, SERVICE_LABEL, type ComposeCli } from '../src/compose.js';
import { createDocker } from '../src/docker.js';
import { exec } from '../src/exec.js';
import { PUBLISHED_NAMESPACE } from '../src/images/recipes.js';
import { REPO_ROOT } from '../src/images/repo-info.js';
import { createOwner, getFreePort, registerCleanup, requireDocker } from '../src/testing.js';
import { predict, readGolden, waitForOk } from './helpers/golden.js';
import { LB_IMAGE } from './helpers/image-names.js';

const docker = createDocker();

async function publishedApiImage(): Promise<string> {
  const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'inference-api/package.json'), 'utf8')) as { version: string };
  return `${PUBLISHED_NAMESPACE}/rightsize-api:${version}`;
}

describe('compose from the repository root', () => {
  it('`up -d` with no -f answers /predict, with every Compose CLI on this machine', { timeout: 600_000 }, async (t) => {
    const image = await publishedApiImage();
    if (!(await requireDocker(t, { images: [image, LB_IMAGE] }))) return;
    const clis = await listComposeClis();
    const flavors = clis.map((c) => c.flavor);
    t.diagnostic(`Compose CLIs: ${clis.map((c) => `${c.flavor} ${c.version}`).join(', ')}`);
    // CI's set-up installs both (v1 from Debian, v2 built from its Go module): a missing one is a set-up bug
    if (getComposeEnv().CI) assert.deepEqual([...new Set(flavors)].sort(), ['v1', 'v2'], 'CI has Compose v1 and v2');
    else assert.ok(clis.length > 0, 'a Compose CLI is installed');
    for (const cli of clis) {
      await t.test(`${cli.flavor} ${cli.version}: ${[path.basename(cli.file), ...cli.prefix].join(' ')} up -d`, (st) => rootUp(st, cli, image));
    }
  });
});

async function rootUp(t: TestContext, cli: ComposeCli, image: string): Promise<void> {
  const project = createOwner(`root-${cli.flavor}`);
  registerCleanup(t, project);
  const [port, statsPort] = [await getFreePort(), await getFreePort()];
  // COMPOSE_FILE unset on purpose: it must come from the root .env, as it does for a user
  const env = { COMPOSE_FILE: undefined, COMPOSE_PROJECT_NAME: project, RIGHTSIZE_OWNER: project, RIGHTSIZE_PORT: String(port), RIGHTSIZE_STATS_PORT: String(statsPort), API_IMAGE: undefined };
  const compose = (args: string[]) => exec(cli.file, [...cli.prefix, ...args], { cwd: REPO_ROOT, env, timeoutMs: 300_000, hint: `compose in ${REPO_ROOT}` });
  t.after(() => compose(['down', '--volumes', '--remove-orphans', '--timeout', '5']).catch(() => undefined));

  await compose(['up', '-d']);
  const api = await docker.listContainers({ [PROJECT_LABEL]: project, [SERVICE_LABEL]: 'api' });
  assert.equal(api.length, 1, 'one API replica by default');
  assert.equal((await docker.inspect(api[0]!.id)).Config.Image, image, 'the default API image is the published name');

  const lb = `http://127.0.0.1:${port}`;
  await waitForOk(`${lb}/health/ready`, 90_000);
  const golden = readGolden();
  const { status, json } = await predict(lb, golden.rows[0]);
  assert.equal(status, 200, JSON.stringify(json));
  assert.equal((json as { label: string }).label, golden.labels[0]);
  const stats = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`);
  assert.equal(stats.status, 200, 'the balancer stats answer on RIGHTSIZE_STATS_PORT');
  await stats.body?.cancel();

  await compose(['down', '--volumes', '--remove-orphans', '--timeout', '5']);
  assert.deepEqual(await docker.listContainers({ [PROJECT_LABEL]: project }), [], '`down` from the root removes the stack');
}
