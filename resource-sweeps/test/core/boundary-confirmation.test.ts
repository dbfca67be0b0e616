/**
 * Boundary confirmation (search.confirm_boundary): the minimum and the measured failures that
 * decided the cheaper configurations run a second time; two runs that disagree leave the
 * configuration undecided (never run a third time) and the search goes on from there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryToConfirm, frontierSearch, estimateRemainingTrials, type Oracle, type SearchOptions, type TrialRequest } from '../../src/core/frontier-search.js';
import { configKey, type TrialConfig } from '../../src/core/config-space.js';
import { createKnowledge } from '../../src/core/knowledge.js';
import type { Candidates } from '../../src/plan/plan-schema.js';
import { createRandom, createSyntheticOracle, groundTruth, randomCandidates, randomMonotoneCapacity } from '../support/synthetic-oracle.js';

const LADDER = Array.from({ length: 20 }, (_, i) => 500 * (i + 1));
const TARGET = 10_000;
const CANDIDATES: Candidates = { replicas: [1, 2], cpus: [0.25, 0.5, 1], memory: [128, 256] };
const key = (replicas: number, cpus: number, memory_mib: number) => configKey({ replicas, cpus, memory_mib });

function options(oracle: Oracle, extra: Partial<SearchOptions> = {}): SearchOptions {
  return { candidates: CANDIDATES, ladder: LADDER, order: { monotoneInReplicas: true }, startAboveHeld: true, retries: 1, confirmInferred: true, confirmBoundary: true, oracle, ...extra };
}

/** A capacity table where 2 x (0.5 CPU, 256m) is the minimum at the target. */
function table(): Map<string, number> {
  const cap = new Map<string, number>();
  for (const r of CANDIDATES.replicas)
    for (const c of CANDIDATES.cpus)
      for (const m of CANDIDATES.memory) cap.set(key(r, c, m), Math.min(TARGET, Math.round(r * c * (m === 256 ? 10_000 : 8_000) * (r === 1 ? 0.9 : 1))));
  return cap;
}

test('knowledge: two runs that disagree at a load leave the configuration undecided there, and agreed below it', () => {
  const k = createKnowledge({ monotoneInReplicas: true });
  const c: TrialConfig = { replicas: 2, cpus: 0.5, memory_mib: 256 };
  k.record({ config: c, held: 10_000, upper: null, runs: 1 });
  assert.equal(k.status(c, 10_000), 'pass');
  k.record({ config: c, held: 9_000, upper: 9_000, runs: 1 });
  const merged = k.measurement(c);
  assert.ok(merged && merged.upper !== null && merged.held > merged.upper, 'contradicted: held above upper');
  assert.equal(k.status(c, 10_000), 'unknown');
  assert.equal(k.status(c, 9_500), 'unknown');
  assert.equal(k.status(c, 9_000), 'pass');
  assert.equal(k.measurement(c)?.runs, 2);
  // a larger configuration is inferred to hold only what both runs agree on
  assert.equal(k.bounds({ replicas: 3, cpus: 0.5, memory_mib: 256 }).lower, 9_000);
  // a fresh run of it starts from the others' bounds, not its own
  assert.equal(k.boundsFromOthers(c).lower, 0);
});

test('the minimum and the failures that decided the cheaper configurations run twice; all agree and the answer is unchanged', async () => {
  const cap = table();
  const o = createSyntheticOracle({ capacity: cap, ladder: LADDER });
  const out = await frontierSearch(options(o.oracle));
  assert.deepEqual(new Map(out.answer.per_replicas.map((a) => [a.replicas, a.best ? configKey(a.best) : null])), groundTruth(cap, CANDIDATES, TARGET));
  const best = out.answer.best as TrialConfig;
  assert.equal(configKey(best), key(2, 0.5, 256));
  const confirmations = o.calls.filter((c) => c.confirmation);
  assert.ok(confirmations.some((c) => configKey(c.config) === configKey(best)), 'the minimum ran a second time');
  // every confirmation is the second trial of its configuration, numbered after the first
  for (const c of confirmations) {
    const earlier = o.calls.filter((x) => configKey(x.config) === configKey(c.config) && x !== c);
    assert.ok(earlier.length >= 1 && earlier.every((x) => x.attempt < c.attempt), configKey(c.config));
  }
  // each confirmed failure is cheaper than the minimum and failed the target in its first run
  for (const c of confirmations.filter((x) => configKey(x.config) !== configKey(best))) assert.ok((cap.get(configKey(c.config)) ?? 0) < TARGET, configKey(c.config));
  // 1 x (1 CPU, 256m) decides the one-replica line, 2 x (0.25 CPU, 256m) and 2 x (0.5 CPU, 128m) the two-replica one
  assert.deepEqual(confirmations.map((c) => configKey(c.config)).sort(), [key(1, 1, 256), key(2, 0.25, 256), key(2, 0.5, 128), key(2, 0.5, 256)].sort());
  assert.deepEqual(boundaryToConfirm(out.knowledge, CANDIDATES, LADDER, { monotoneInReplicas: true }), [], 'nothing left to confirm');
  assert.equal(estimateRemainingTrials(out.knowledge, CANDIDATES, LADDER, true, true), 0);
});

test('a minimum whose second run fails is undecided, the search moves on, and the new minimum is confirmed in turn', async () => {
  const cap = table();
  const flaky = key(2, 0.5, 256);
  const inner = createSyntheticOracle({ capacity: cap, ladder: LADDER });
  const calls: TrialRequest[] = [];
  const oracle: Oracle = async (request) => {
    calls.push(request);
    const answer = await inner.oracle(request);
    // the second run of the first minimum fails at the target (chance at the boundary)
    if (configKey(request.config) === flaky && request.confirmation) return { config: request.config, held: 9_500, upper: 9_500, valid: true };
    return answer;
  };
  const out = await frontierSearch(options(oracle));
  const best = out.answer.best as TrialConfig;
  assert.notEqual(configKey(best), flaky);
  assert.equal(out.knowledge.status({ replicas: 2, cpus: 0.5, memory_mib: 256 }, TARGET), 'unknown');
  assert.equal(calls.filter((c) => configKey(c.config) === flaky).length, 2, 'two runs, no third');
  assert.ok(calls.some((c) => c.confirmation && configKey(c.config) === configKey(best)), 'the new minimum ran twice too');
  // the undecided configuration shows as such in the answer
  const two = out.answer.per_replicas.find((a) => a.replicas === 2);
  if (two?.best && configKey(two.best) !== flaky) assert.ok(two.undecided.some((c) => configKey(c) === flaky));
});

test('a deciding failure whose second run passes is undecided, and the minimum stands beside it', async () => {
  const cap = table();
  const inner = createSyntheticOracle({ capacity: cap, ladder: LADDER });
  let flipped: string | null = null;
  const oracle: Oracle = async (request) => {
    const answer = await inner.oracle(request);
    if (request.confirmation && answer.upper !== null && flipped === null) {
      flipped = configKey(request.config);
      return { config: request.config, held: TARGET, upper: null, valid: true };
    }
    return answer;
  };
  const out = await frontierSearch(options(oracle));
  assert.ok(flipped, 'a failure was confirmed');
  const k = out.knowledge;
  const config = k.measurements().find((x) => configKey(x.config) === flipped)?.config as TrialConfig;
  assert.equal(k.status(config, TARGET), 'unknown');
  assert.ok(out.answer.best, 'an answer remains');
});

test('with confirmation on, 200 random monotone tables without noise still give the ground truth, each configuration run at most twice', async () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET);
    const o = createSyntheticOracle({ capacity, ladder: LADDER });
    const out = await frontierSearch({ ...options(o.oracle), candidates });
    assert.deepEqual(new Map(out.answer.per_replicas.map((a) => [a.replicas, a.best ? configKey(a.best) : null])), groundTruth(capacity, candidates, TARGET), `seed ${seed}`);
    const perConfig = new Map<string, number>();
    for (const c of o.calls) perConfig.set(configKey(c.config), (perConfig.get(configKey(c.config)) ?? 0) + 1);
    assert.ok([...perConfig.values()].every((n) => n <= 2), `seed ${seed}`);
  }
});

test('a configuration whose every try is invalid is run retries + 1 times in the whole search, confirmation rounds included', async () => {
  const cap = table();
  const broken = key(2, 0.5, 128);
  const o = createSyntheticOracle({ capacity: cap, ladder: LADDER, flakyAttempts: (config) => configKey(config) === broken });
  const out = await frontierSearch(options(o.oracle));
  assert.equal(o.calls.filter((c) => configKey(c.config) === broken).length, 2, 'one try and one retry, never again');
  assert.equal(out.knowledge.status({ replicas: 2, cpus: 0.5, memory_mib: 128 }, TARGET), 'unknown');
  assert.equal(configKey(out.answer.best as TrialConfig), key(2, 0.5, 256));
});
