/**
 * The machine facts a run records next to its numbers: cores, memory, load, Node, the Docker
 * engine's and Compose's versions, and the commit of the code that measured.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { detectCompose } from '@rightsize/compose/compose';
import type { Docker } from '@rightsize/compose/docker';
import type { Machine } from '../results/trial-record.js';
import { WORKSPACE_DIR } from '../run-setup.js';

export async function machineInfo(docker: Docker | null): Promise<Machine> {
  const docker_version = docker ? await docker.serverVersion(10_000).catch(() => null) : null;
  const compose = await detectCompose()
    .then((c) => `${c.flavor} ${c.version}`)
    .catch(() => null);
  return {
    hostname: os.hostname(),
    cores: os.availableParallelism(),
    mem_mib: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    docker: docker_version,
    compose,
    loadavg_1m: os.loadavg()[0] ?? 0,
  };
}

export async function gitCommit(cwd = WORKSPACE_DIR): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}
