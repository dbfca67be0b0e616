/**
 * Cold start of the API image: `docker run` to the first 200 from /health/ready, N times.
 *
 *   npm run bench -w @rightsize/compose -- [--runs 9] [--image rightsize-api:latest] [--cpus 0.5 --memory 256m]
 *
 * Method: each run starts a fresh container on a network this bench creates (polled at its own
 * address every 10 ms, no docker-proxy in the way), measures from just before `docker run` is
 * invoked to the first 200 (so the engine's create/start time is included), and from the
 * container's State.StartedAt to that 200 (the process alone). The container is removed before
 * the next run. Results: compose/bench/results/cold-start.json (data) and a Markdown table.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDocker, OWNER_LABEL } from '../src/docker.js';
import { cleanupByLabel, createOwner } from '../src/testing.js';
import { summarize, type Summary } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    image: { type: 'string', default: 'rightsize-api:latest' },
    cpus: { type: 'string' },
    memory: { type: 'string' },
    out: { type: 'string', default: path.join(import.meta.dirname, 'results') },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs})`);

const docker = createDocker();
const owner = createOwner('bench-cold');
const labels = { [OWNER_LABEL]: owner };

async function once(network: string): Promise<{ fromRunMs: number; fromStartMs: number }> {
  const t0 = Date.now();
  const p0 = performance.now();
  const id = await docker.run({
    image: values.image!,
    labels,
    network,
    readOnly: true,
    tmpfs: ['/tmp'],
    ...(values.cpus ? { cpus: Number(values.cpus) } : {}),
    ...(values.memory ? { memory: values.memory } : {}),
  });
  try {
    const ip = (await docker.inspect(id)).NetworkSettings.Networks?.[network]?.IPAddress;
    if (!ip) throw new Error('no container address');
    const deadline = performance.now() + 60_000;
    for (;;) {
      const ok = await fetch(`http://${ip}:8000/health/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (performance.now() > deadline) throw new Error(`not ready after 60 s:\n${(await docker.logs(id, { tail: 20 })).stdout}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const fromRunMs = performance.now() - p0;
    const startedAt = Date.parse((await docker.inspect(id)).State.StartedAt);
    return { fromRunMs, fromStartMs: t0 + fromRunMs - startedAt };
  } finally {
    await docker.rm(id);
  }
}

async function main(): Promise<void> {
  const network = owner;
  await docker.networkCreate({ name: network, labels });
  const samples: Array<{ fromRunMs: number; fromStartMs: number }> = [];
  try {
    await once(network); // warm the page cache: the image's files are read from disk once
    for (let i = 0; i < runs; i++) samples.push(await once(network));
  } finally {
    await cleanupByLabel(owner);
  }
  const image = await docker.imageInspect(values.image!);
  const result = {
    schema: 'rightsize.bench.cold-start/v1',
    at: new Date().toISOString(),
    image: values.image,
    imageId: image?.Id,
    imageSizeBytes: image?.Size,
    limits: { cpus: values.cpus ?? 'none', memory: values.memory ?? 'none' },
    runs,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg1m: loadavg()[0], engine: await docker.serverVersion() },
    dockerRunToReadyMs: summarize(samples.map((s) => s.fromRunMs)),
    startedToReadyMs: summarize(samples.map((s) => s.fromStartMs)),
  };
  await mkdir(values.out!, { recursive: true });
  const tag = `${values.cpus ?? 'nolimit'}cpu-${values.memory ?? 'nolimit'}`;
  await writeFile(path.join(values.out!, `cold-start-${tag}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, s: Summary) => `| ${name} | ${s.median.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} |`;
  process.stdout.write(
    [
      `cold start, ${values.image} (${((image?.Size ?? 0) / 1e6).toFixed(0)} MB), limits cpus=${result.limits.cpus} memory=${result.limits.memory}, ${runs} runs after 1 warm-up, load avg ${loadavg()[0]!.toFixed(2)} on ${cpus().length} CPUs`,
      '| ms | median | min | max |',
      '|---|---|---|---|',
      row('docker run -> first 200 /health/ready', result.dockerRunToReadyMs),
      row('container started -> first 200', result.startedToReadyMs),
      '',
    ].join('\n'),
  );
}

await main();
