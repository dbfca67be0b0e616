/**
 * Swarm mode on a shared engine. A sweep with `runtime: swarm` on an engine that is not in swarm
 * mode is refused before any trial, with how to enter it (`docker swarm init`), unless the user
 * let the sweep do it (`--swarm-init`, RIGHTSIZE_SWARM_INIT=1): then it enters swarm mode, says
 * so in the first trial's progress, and leaves it when the sweep ends; an engine that was already
 * a swarm stays one. Who is using the swarm is written on the node itself (node labels), so that two
 * sweeps sharing it do not pull it from under each other, and so that the clean-up at the next
 * start can leave a swarm a crashed sweep entered:
 *   io.rightsize.swarm.entered-by = <owner>   the sweep that ran `docker swarm init`
 *   io.rightsize.swarm.user.<owner> = 1       every sweep using it, until it ends
 * A swarm is left only when a sweep entered it, no live sweep uses it and no service at all
 * runs on it (whatever else runs there is not ours to remove).
 */
import type { Docker } from '@rightsize/compose/docker';
import { SweepError } from '../errors.js';
import { isProcessAlive, parseSweepOwner } from './sweep-owner.js';

export const ENTERED_BY_LABEL = 'io.rightsize.swarm.entered-by';
export const USER_LABEL_PREFIX = 'io.rightsize.swarm.user.';

export interface SwarmUse {
  /** sweeps whose process is gone: their user labels can go */
  deadUsers: string[];
  /** live sweeps other than `self` */
  liveUsers: string[];
  /** a sweep entered swarm mode and nobody else needs it: leave (if no service runs) */
  leave: boolean;
}

/** Pure: what the node labels say about who uses the swarm, and whether `self` (or the clean-up) may leave it. */
export function swarmUse(labels: Readonly<Record<string, string>>, options: { self?: string; alive: (pid: number) => boolean }): SwarmUse {
  const users = Object.keys(labels).filter((k) => k.startsWith(USER_LABEL_PREFIX)).map((k) => k.slice(USER_LABEL_PREFIX.length));
  const deadUsers: string[] = [];
  const liveUsers: string[] = [];
  for (const user of users) {
    if (user === options.self) continue;
    const parsed = parseSweepOwner(user);
    if (parsed && !options.alive(parsed.pid)) deadUsers.push(user);
    else liveUsers.push(user);
  }
  const enteredBy = labels[ENTERED_BY_LABEL];
  return { deadUsers, liveUsers, leave: enteredBy !== undefined && parseSweepOwner(enteredBy) !== null && liveUsers.length === 0 };
}

/** `docker swarm leave --force`, and the bridge `swarm init` created, which leaving keeps. */
async function leaveSwarm(docker: Docker): Promise<void> {
  await docker.swarmLeave({ timeoutMs: 60_000 });
  await docker.networkRm('docker_gwbridge');
}

/**
 * Leaves a swarm that a sweep entered and that nobody needs any more; drops dead sweeps' user
 * labels. `self` is a sweep that just stopped using it. Resolves to a note, or null.
 */
export async function releaseSwarm(docker: Docker, options: { self?: string; alive?: (pid: number) => boolean } = {}): Promise<string | null> {
  const state = await docker.swarmState();
  if (!state.active) return null;
  const labels = await docker.nodeLabels(state.nodeId);
  const use = swarmUse(labels, { ...(options.self ? { self: options.self } : {}), alive: options.alive ?? isProcessAlive });
  const rm = [...use.deadUsers, ...(options.self ? [options.self] : [])].map((u) => `${USER_LABEL_PREFIX}${u}`).filter((k) => k in labels);
  if (!use.leave) {
    await docker.updateNodeLabels(state.nodeId, { rm });
    return null;
  }
  const services = (await docker.listServices()).length;
  if (services > 0) {
    await docker.updateNodeLabels(state.nodeId, { rm });
    return `swarm mode left on: ${services} service(s) not removed by this sweep still run on it`;
  }
  await leaveSwarm(docker);
  return 'left swarm mode, which a sweep had entered';
}

/** How to enter swarm mode by hand, and how to let the sweep do it: the hint of every refusal. */
export const SWARM_INIT_HINT =
  'enter it yourself: `docker swarm init --advertise-addr 127.0.0.1` (a single-node swarm; `docker swarm leave --force` afterwards), or let the sweep enter it and leave it when it ends: add --swarm-init (or set RIGHTSIZE_SWARM_INIT=1); or use runtime: compose';

/** The refusal of a `runtime: swarm` sweep on an engine outside swarm mode. */
export function notInSwarmError(): SweepError {
  return new SweepError('SWEEP_ERR_STACK_UP', 'the plan asks for runtime: swarm and this Docker engine is not in swarm mode; the sweep never enters it unasked', { key: 'runtime', hint: SWARM_INIT_HINT });
}

/**
 * Refuses, before any trial, a `runtime: swarm` plan the engine cannot run: not in swarm mode
 * (unless `allowInit`), or a worker node (`docker stack deploy` needs a manager).
 */
export async function checkSwarmRuntime(docker: Pick<Docker, 'swarmState'>, options: { allowInit: boolean }): Promise<void> {
  const state = await docker.swarmState();
  if (!state.active && !options.allowInit) throw notInSwarmError();
  if (state.active && !state.manager) throw notManagerError();
}

function notManagerError(): SweepError {
  return new SweepError('SWEEP_ERR_STACK_UP', 'this engine is a swarm worker, not a manager: `docker stack deploy` needs a manager', { key: 'runtime', hint: 'run the sweep on a manager node, or use runtime: compose' });
}

export interface SwarmSession {
  /**
   * swarm mode on, this sweep recorded as a user; idempotent. Returns, once, what it did to the
   * engine when it had to enter swarm mode (so the sweep says so, never silently), else null
   */
  ensure(): Promise<string | null>;
  /** this sweep stops using the swarm; leaves it if it was entered by a sweep and nobody needs it. A note or null */
  close(): Promise<string | null>;
}

/** `allowInit`: the user let the sweep enter swarm mode (--swarm-init); without it an engine outside swarm mode is refused. */
export function createSwarmSession(options: { docker: Docker; owner: string; allowInit?: boolean }): SwarmSession {
  const { docker, owner } = options;
  let joined: Promise<string | null> | undefined;
  let told = false;
  const join = async (): Promise<string | null> => {
    let state = await docker.swarmState();
    let entered = false;
    const add: Record<string, string> = { [`${USER_LABEL_PREFIX}${owner}`]: '1' };
    if (!state.active) {
      if (!options.allowInit) throw notInSwarmError();
      try {
        await docker.swarmInit({ timeoutMs: 60_000 });
        add[ENTERED_BY_LABEL] = owner;
        entered = true;
      } catch (cause) {
        // another sweep may have entered it a moment ago: then it is theirs, and fine to use
        if (!(await docker.swarmState()).active) {
          throw new SweepError('SWEEP_ERR_STACK_UP', 'could not enter swarm mode (docker swarm init --advertise-addr 127.0.0.1)', { cause, hint: 'check `docker info` (Swarm:) and dockerd\'s log; or use runtime: compose' });
        }
      }
      state = await docker.swarmState();
    }
    if (!state.manager) throw notManagerError();
    await docker.updateNodeLabels(state.nodeId, { add });
    return entered
      ? 'the engine was not in swarm mode: entered it for this sweep as --swarm-init allows (docker swarm init --advertise-addr 127.0.0.1; node label io.rightsize.swarm.entered-by) and leaves it when the sweep ends; to keep a swarm of your own, run `docker swarm init` before the sweep'
      : null;
  };
  return {
    async ensure() {
      joined ??= join().catch((error: unknown) => {
        joined = undefined;
        throw error;
      });
      const note = await joined;
      if (note === null || told) return null;
      told = true;
      return note;
    },
    async close() {
      if (!joined) return null;
      joined = undefined;
      return releaseSwarm(docker, { self: owner });
    },
  };
}
