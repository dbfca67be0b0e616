/** The machine's state next to every number: cores, memory, load, what else runs on the engine. */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MachineState {
  at: string;
  cores: number;
  memGiB: number;
  loadavg: [number, number, number];
  /** containers running on the shared engine (read between points, so none is ours) */
  otherContainers: number | null;
  node: string;
}

export async function machineState(): Promise<MachineState> {
  let otherContainers: number | null = null;
  try {
    const { stdout } = await run('docker', ['ps', '--quiet']);
    otherContainers = stdout.split('\n').filter(Boolean).length;
  } catch {
    // no engine
  }
  const [a, b, c] = os.loadavg();
  return {
    at: new Date().toISOString(),
    // the machine's cores, not this process's affinity (the benchmark pins itself)
    cores: os.cpus().length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavg: [round2(a!), round2(b!), round2(c!)],
    otherContainers,
    node: process.version,
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
