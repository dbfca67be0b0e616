// The load generator adapter: wrk pinned to its own CPU, one thread, results read from the JSON
// line our Lua script prints in done().
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WrkResultSchema, type WrkResult } from './report.js';

const SCRIPT = fileURLToPath(new URL('./wrk/post.lua', import.meta.url));

export interface WrkOptions {
  url: string;
  cpu: string;
  connections: number;
  durationS: number;
  bodyFile: string;
  /** Requests per second per connection (exponential think time); 0 = back to back. */
  ratePerConnection?: number;
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = ['-c', o.cpu, 'wrk', '-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--timeout', '10s', '-s', SCRIPT, o.url];
  const child = spawn('taskset', args, {
    env: { ...process.env, BODY_FILE: o.bodyFile, RATE_PER_CONN: String(o.ratePerConnection ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${out}`);
  return WrkResultSchema.parse(JSON.parse(line));
}
