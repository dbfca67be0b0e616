/**
 * The frontier search. Capacity is monotone in resources, so for a replica count r:
 *   c* = the smallest CPU limit that passes with the largest memory candidate, found by
 *        bisection on that line (less memory never helps, so nothing below c* can pass);
 *   m* = the smallest memory that passes at c*, found by bisection on that line.
 * (r, c*, m*) is then the cheapest passing configuration for r under "total CPUs, then total
 * memory". Every result also bounds its neighbours (knowledge.ts), so probes whose status is
 * already implied are skipped, across replica counts too, and each trial starts at the step
 * above the largest load a smaller configuration already held. Invalid trials are retried;
 * when they stay invalid the configuration is "undecided" and counted as not passing.
 */
import { throwIfAborted } from '../errors.js';
import type { Candidates } from '../plan/plan-schema.js';
import { deriveAnswer, type Answer } from './answer.js';
import { compareCost, configKey, gridConfigs, isAtMost, sameConfig, type OrderOptions, type TrialConfig } from './config-space.js';
import { createKnowledge, measurementOf, type Knowledge, type Measurement } from './knowledge.js';

export interface TrialRequest {
  config: TrialConfig;
  /** first step of the ladder the trial runs (users) */
  startUsers: number;
  /** what the configuration is already known to hold, from a smaller measured one (0: nothing) */
  knownHeld: number;
  /** 1 for the first trial of the configuration, 2.. for every later one (retries, re-runs, confirmations) */
  attempt: number;
  /** a boundary confirmation: the second run of a configuration that decided the answer */
  confirmation?: boolean;
}

export interface TrialAnswer extends Measurement {
  /** false when the generator or the infrastructure, not the API, ended the trial */
  valid: boolean;
}

export type Oracle = (request: TrialRequest) => Promise<TrialAnswer>;

export interface SearchOptions {
  candidates: Candidates;
  /** the user counts of the stepped load, ascending; the last one is the target */
  ladder: readonly number[];
  order: OrderOptions;
  startAboveHeld: boolean;
  retries: number;
  /** measure a replica count's minimum when it was only inferred (from fewer replicas) */
  confirmInferred?: boolean;
  /** run a trial that failed on its first judged step once more from one step lower, and count that one */
  rerunFirstStepFailure?: boolean;
  /**
   * run the minimum, and each measured failure that decided a cheaper configuration, a second
   * time; a configuration whose two runs disagree is undecided, and the search goes on from there
   */
  confirmBoundary?: boolean;
  oracle: Oracle;
  signal?: AbortSignal;
}

export interface SearchOutcome {
  answer: Answer;
  knowledge: Knowledge;
  /** oracle calls, retries included */
  trials: number;
}

/** Oracle calls so far, and per configuration how many it had (so attempts number every trial of it). */
interface Counter {
  trials: number;
  attempts: Map<string, number>;
}

const newCounter = (): Counter => ({ trials: 0, attempts: new Map() });

/** Rounds of boundary confirmation at most: each confirms what a changed answer newly rests on. */
export const MAX_CONFIRMATION_ROUNDS = 3;

/** The ladder step a trial of `config` should start at, given what is known. */
export function startUsersFor(knownHeld: number, ladder: readonly number[], startAboveHeld: boolean): number {
  const first = ladder[0] as number;
  if (!startAboveHeld) return first;
  return ladder.find((u) => u > knownHeld) ?? (ladder[ladder.length - 1] as number);
}

/**
 * A valid trial that started above the ladder's first step and did not hold even that step: its
 * replicas met their first heavy load cold. Answers in the search and records in replay use it.
 */
export function failedFirstStep(answer: Pick<TrialAnswer, 'held' | 'upper' | 'valid'>, startUsers: number, ladder: readonly number[]): boolean {
  return answer.valid && answer.upper !== null && answer.held < startUsers && startUsers > (ladder[0] as number);
}

/** The ladder step below `users` (the first step when there is none). */
export function stepBelow(users: number, ladder: readonly number[]): number {
  return [...ladder].reverse().find((u) => u < users) ?? (ladder[0] as number);
}

/**
 * Runs one configuration with retries; records every attempt into the knowledge, except a
 * first-step failure that is run again from one step lower (rerunFirstStepFailure): the re-run
 * counts instead. Modes: 'search' stops once the status is known; 'inferred' (confirming a
 * minimum inferred across replica counts) starts only above what the same replica count held,
 * so it can contradict that inference; 'boundary' (a second run) starts where a first run would,
 * from what the other configurations held. Attempts number every trial of the configuration in
 * the whole search (retries, re-runs, confirmations), which is how replay finds them again.
 */
export async function measure(options: SearchOptions, knowledge: Knowledge, config: TrialConfig, counter: Counter, mode: 'search' | 'inferred' | 'boundary' = 'search'): Promise<void> {
  const target = options.ladder[options.ladder.length - 1] as number;
  const order = mode === 'inferred' ? { monotoneInReplicas: false } : options.order;
  const key = configKey(config);
  let rerunFrom: number | null = null;
  let rerunDone = false;
  for (let tries = 0; tries <= options.retries; ) {
    throwIfAborted(options.signal);
    const bounds = mode === 'boundary' ? knowledge.boundsFromOthers(config, order) : knowledge.bounds(config, order);
    const knownHeld = options.startAboveHeld ? bounds.lower : 0;
    const startUsers = rerunFrom ?? startUsersFor(knownHeld, options.ladder, options.startAboveHeld);
    const attempt = (counter.attempts.get(key) ?? 0) + 1;
    counter.attempts.set(key, attempt);
    const answer = await options.oracle({ config, startUsers, knownHeld, attempt, ...(mode === 'boundary' ? { confirmation: true } : {}) });
    counter.trials++;
    if (options.rerunFirstStepFailure && !rerunDone && failedFirstStep(answer, startUsers, options.ladder)) {
      rerunFrom = stepBelow(startUsers, options.ladder);
      rerunDone = true;
      continue;
    }
    rerunFrom = null;
    knowledge.record(measurementOf(answer, knownHeld));
    if (answer.valid || (mode === 'search' && knowledge.status(config, target) !== 'unknown')) return;
    tries++;
  }
}

/**
 * What the answer rests on: the minimum itself and, for every cheaper configuration known to
 * fail, the measured failure that decided it (itself, or the configuration its failure was
 * inferred from), keeping only the largest of those (a failure of a larger configuration implies
 * the smaller ones'). Configurations already run twice or more are left out.
 */
export function boundaryToConfirm(knowledge: Knowledge, candidates: Candidates, ladder: readonly number[], order: OrderOptions): TrialConfig[] {
  const target = ladder[ladder.length - 1] as number;
  const best = deriveAnswer(knowledge, candidates, target).best;
  if (!best) return [];
  const deciders = new Map<string, TrialConfig>();
  for (const c of gridConfigs(candidates)) {
    if (compareCost(c, best) >= 0 || knowledge.status(c, target) !== 'fail') continue;
    const own = knowledge.measurement(c);
    const decider = own && own.upper !== null && own.upper < target ? c : knowledge.bounds(c).upperFrom;
    if (decider) deciders.set(configKey(decider), decider);
  }
  const list = [...deciders.values()];
  const largest = list.filter((d) => !list.some((o) => !sameConfig(o, d) && isAtMost(d, o, order)));
  return [best, ...largest.sort(compareCost)].filter((c) => (knowledge.measurement(c)?.runs ?? 1) < 2);
}

/**
 * Bisection for the first passing configuration on a line ordered by resources. Returns its
 * index, or null when none passes (undecided ones count as not passing).
 */
async function firstPass(options: SearchOptions, knowledge: Knowledge, line: TrialConfig[], counter: Counter): Promise<number | null> {
  const target = options.ladder[options.ladder.length - 1] as number;
  // a configuration already run that is still unknown (its runs disagree, or every try was
  // invalid) is undecided: no later bisection runs it again (its retries were its chance)
  const undecided = new Set<number>(line.flatMap((c, i) => (knowledge.isMeasured(c) && knowledge.status(c, target) === 'unknown' ? [i] : [])));
  for (;;) {
    const statuses = line.map((c, i) => (undecided.has(i) ? 'fail' : knowledge.status(c, target)));
    const pass = statuses.indexOf('pass');
    const hi = pass === -1 ? line.length - 1 : pass - 1;
    let lo = hi;
    while (lo >= 0 && statuses[lo] === 'unknown') lo--;
    lo++;
    if (lo > hi) return pass === -1 ? null : pass;
    const mid = lo + Math.floor((hi - lo) / 2);
    await measure(options, knowledge, line[mid] as TrialConfig, counter);
    if (knowledge.status(line[mid] as TrialConfig, target) === 'unknown') undecided.add(mid);
  }
}

export async function frontierSearch(options: SearchOptions): Promise<SearchOutcome> {
  const knowledge = createKnowledge(options.order);
  const counter = newCounter();
  const { cpus, memory } = options.candidates;
  const maxMemory = memory[memory.length - 1] as number;
  const search = async () => {
    // Ascending replica counts: what fewer replicas held is a head start for more replicas.
    for (const replicas of options.candidates.replicas) {
      // Each round either settles this replica count or measures one more configuration, so it ends.
      for (;;) {
        const cpuLine = cpus.map((c) => ({ replicas, cpus: c, memory_mib: maxMemory }));
        const c = await firstPass(options, knowledge, cpuLine, counter);
        if (c === null) break;
        const memoryLine = memory.map((m) => ({ replicas, cpus: cpus[c] as number, memory_mib: m }));
        const m = await firstPass(options, knowledge, memoryLine, counter);
        // every memory limit at c* is undecided (runs that disagree): nothing to confirm on this line
        if (m === null) break;
        const best = memoryLine[m] as TrialConfig;
        if (!options.confirmInferred || knowledge.isMeasured(best)) break;
        await measure(options, knowledge, best, counter, 'inferred');
      }
    }
  };
  await search();
  // Boundary confirmation: what the answer rests on runs a second time; when runs disagree the
  // answer may move, and the search goes on from what it knows, then confirms what is new.
  for (let round = 0; options.confirmBoundary && round < MAX_CONFIRMATION_ROUNDS; round++) {
    const toConfirm = boundaryToConfirm(knowledge, options.candidates, options.ladder, options.order);
    if (toConfirm.length === 0) break;
    for (const config of toConfirm) await measure(options, knowledge, config, counter, 'boundary');
    await search();
  }
  return { answer: deriveAnswer(knowledge, options.candidates, options.ladder[options.ladder.length - 1] as number), knowledge, trials: counter.trials };
}

/** Every configuration, cheapest first: the reference the frontier is checked against, and `strategy: grid`. */
export async function gridSearch(options: SearchOptions): Promise<SearchOutcome> {
  const knowledge = createKnowledge(options.order);
  const counter = newCounter();
  for (const config of gridConfigs(options.candidates)) await measure(options, knowledge, config, counter);
  return { answer: deriveAnswer(knowledge, options.candidates, options.ladder[options.ladder.length - 1] as number), knowledge, trials: counter.trials };
}

/**
 * Upper estimate of the trials a frontier search still needs (for the ETA): the bisection depth
 * of what is still unknown on each replica count's CPU line and on its memory line.
 */
export function estimateRemainingTrials(knowledge: Knowledge, candidates: Candidates, ladder: readonly number[], confirmInferred = false, confirmBoundary = false, order: OrderOptions = { monotoneInReplicas: true }): number {
  const target = ladder[ladder.length - 1] as number;
  const maxMemory = candidates.memory[candidates.memory.length - 1] as number;
  const depth = (unknown: number) => Math.ceil(Math.log2(unknown + 1));
  // a configuration already run that stayed unknown is undecided: the search counts it as not passing
  const status = (c: TrialConfig) => {
    const s = knowledge.status(c, target);
    return s === 'unknown' && knowledge.isMeasured(c) ? 'fail' : s;
  };
  let left = 0;
  for (const replicas of candidates.replicas) {
    const line = candidates.cpus.map((cpus) => ({ replicas, cpus, memory_mib: maxMemory }));
    const statuses = line.map(status);
    left += depth(statuses.filter((s) => s === 'unknown').length);
    // the memory line is searched at the cheapest CPU limit that may pass
    const at = line[statuses.findIndex((s) => s !== 'fail')];
    if (at) left += depth(candidates.memory.filter((m) => status({ ...at, memory_mib: m }) === 'unknown').length);
    // only minima inferred from other replica counts need confirming, and only while none of this count's own trials passed
    const ownPass = knowledge.measurements().some((m) => m.config.replicas === replicas && m.held >= target);
    if (confirmInferred && replicas !== candidates.replicas[0] && at && !ownPass) left += 1;
  }
  // the second runs of what the answer rests on so far
  if (confirmBoundary) left += boundaryToConfirm(knowledge, candidates, ladder, order).length;
  return left;
}

/** How many trials the exhaustive grid needs (one per configuration, without retries). */
export function gridSize(candidates: Candidates): number {
  return candidates.replicas.length * candidates.cpus.length * candidates.memory.length;
}
