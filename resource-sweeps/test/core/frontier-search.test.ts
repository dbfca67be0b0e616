import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frontierSearch, gridSearch, gridSize, estimateRemainingTrials, type SearchOptions } from '../../src/core/frontier-search.js';
import { configKey } from '../../src/core/config-space.js';
import { createKnowledge } from '../../src/core/knowledge.js';
import type { Answer } from '../../src/core/answer.js';
import type { Candidates } from '../../src/plan/plan-schema.js';
import { createRandom, createSyntheticOracle, groundTruth, randomCandidates, randomMonotoneCapacity } from '../support/synthetic-oracle.js';

const LADDER = Array.from({ length: 20 }, (_, i) => 500 * (i + 1));
const TARGET = 10_000;

function answerKeys(answer: Answer): Map<number, string | null> {
  return new Map(answer.per_replicas.map((a) => [a.replicas, a.best ? configKey(a.best) : null]));
}

function options(candidates: Candidates, oracle: SearchOptions['oracle'], extra: Partial<SearchOptions> = {}): SearchOptions {
  return { candidates, ladder: LADDER, order: { monotoneInReplicas: true }, startAboveHeld: true, retries: 1, oracle, ...extra };
}

test('on 500 random monotone capacity tables the frontier returns what the exhaustive grid returns, with fewer trials and steps', async (t) => {
  let frontierTrials = 0;
  let gridTrials = 0;
  let frontierSteps = 0;
  let gridSteps = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET);
    const f = createSyntheticOracle({ capacity, ladder: LADDER });
    const g = createSyntheticOracle({ capacity, ladder: LADDER });
    const frontier = await frontierSearch(options(candidates, f.oracle));
    const grid = await gridSearch(options(candidates, g.oracle, { startAboveHeld: false }));
    assert.deepEqual(answerKeys(frontier.answer), answerKeys(grid.answer), `seed ${seed}`);
    assert.deepEqual(answerKeys(frontier.answer), groundTruth(capacity, candidates, TARGET), `seed ${seed}`);
    assert.equal(grid.trials, gridSize(candidates));
    assert.ok(frontier.trials <= grid.trials, `seed ${seed}: ${frontier.trials} > ${grid.trials}`);
    // never the same configuration twice when every trial is valid
    assert.equal(new Set(f.calls.map((c) => configKey(c.config))).size, f.calls.length, `seed ${seed}`);
    frontierTrials += frontier.trials;
    gridTrials += grid.trials;
    frontierSteps += f.stepsRun();
    gridSteps += g.stepsRun();
  }
  t.diagnostic(`trials: frontier ${frontierTrials}, grid ${gridTrials} (${Math.round((100 * (gridTrials - frontierTrials)) / gridTrials)} % saved)`);
  t.diagnostic(`load steps: frontier ${frontierSteps}, grid ${gridSteps} (${Math.round((100 * (gridSteps - frontierSteps)) / gridSteps)} % saved)`);
  assert.ok(frontierTrials < gridTrials * 0.5, `frontier used ${frontierTrials} of ${gridTrials} grid trials`);
  assert.ok(frontierSteps < gridSteps * 0.4, `frontier ran ${frontierSteps} of ${gridSteps} grid steps`);
});

test('the default-sized space (3 replicas x 4 CPUs x 3 memory) is answered in at most a third of the grid trials', async () => {
  const candidates: Candidates = { replicas: [1, 2, 3], cpus: [0.25, 0.5, 1, 1.5], memory: [192, 256, 384] };
  let worst = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const capacity = randomMonotoneCapacity(createRandom(seed), candidates, TARGET);
    const f = createSyntheticOracle({ capacity, ladder: LADDER });
    const frontier = await frontierSearch(options(candidates, f.oracle));
    assert.deepEqual(answerKeys(frontier.answer), groundTruth(capacity, candidates, TARGET), `seed ${seed}`);
    worst = Math.max(worst, frontier.trials);
  }
  assert.ok(worst <= gridSize(candidates) / 3, `worst case ${worst} trials of ${gridSize(candidates)}`);
});

test('without assuming replicas are monotone the answer still matches a grid whose replicas are unrelated', async () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET, false);
    const f = createSyntheticOracle({ capacity, ladder: LADDER });
    const frontier = await frontierSearch(options(candidates, f.oracle, { order: { monotoneInReplicas: false } }));
    assert.deepEqual(answerKeys(frontier.answer), groundTruth(capacity, candidates, TARGET), `seed ${seed}`);
  }
});

test('with confirmation on, every replica count\'s minimum is a measured configuration and the answer is unchanged', async (t) => {
  let extra = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET);
    const plain = await frontierSearch(options(candidates, createSyntheticOracle({ capacity, ladder: LADDER }).oracle));
    const confirmed = await frontierSearch(options(candidates, createSyntheticOracle({ capacity, ladder: LADDER }).oracle, { confirmInferred: true }));
    assert.deepEqual(answerKeys(confirmed.answer), answerKeys(plain.answer), `seed ${seed}`);
    for (const r of confirmed.answer.per_replicas) if (r.best) assert.ok(confirmed.knowledge.isMeasured(r.best), `seed ${seed}: ${configKey(r.best)} not measured`);
    extra += confirmed.trials - plain.trials;
  }
  t.diagnostic(`confirmation cost ${extra} extra trials over 300 sweeps`);
});

test('a confirmation that contradicts the inference moves the answer to a measured configuration', async () => {
  // 2 replicas do WORSE than 1 at 1 CPU: the inference "more replicas never hurt" is wrong here
  const candidates: Candidates = { replicas: [1, 2], cpus: [0.5, 1], memory: [256] };
  const capacity = new Map([
    ['r1-c0.5-m256', 3000],
    ['r1-c1-m256', 10000],
    ['r2-c0.5-m256', 4000],
    ['r2-c1-m256', 9000],
  ]);
  const result = await frontierSearch(options(candidates, createSyntheticOracle({ capacity, ladder: LADDER }).oracle, { confirmInferred: true }));
  const two = result.answer.per_replicas.find((r) => r.replicas === 2);
  assert.equal(two?.best, null);
  assert.equal(result.knowledge.status({ replicas: 2, cpus: 1, memory_mib: 256 }, TARGET), 'fail');
});

test('a trial starts at the step above what a smaller configuration already held', async () => {
  const candidates: Candidates = { replicas: [1], cpus: [0.5, 1, 2], memory: [256] };
  const capacity = new Map([
    ['r1-c0.5-m256', 3000],
    ['r1-c1-m256', 6000],
    ['r1-c2-m256', 12000],
  ]);
  const f = createSyntheticOracle({ capacity, ladder: LADDER });
  const result = await frontierSearch(options(candidates, f.oracle));
  assert.deepEqual(
    f.calls.map((c) => [configKey(c.config), c.startUsers, c.knownHeld]),
    [
      ['r1-c1-m256', 500, 0], // bisection starts in the middle
      ['r1-c2-m256', 6500, 6000], // above what 1 CPU held
    ],
  );
  assert.equal(result.answer.best && configKey(result.answer.best), 'r1-c2-m256');
  // 0.5 CPU was never run: it has less than 1 CPU, which failed
  assert.equal(result.knowledge.status({ replicas: 1, cpus: 0.5, memory_mib: 256 }, TARGET), 'fail');
});

test('with start_above_held off every trial starts at the first step', async () => {
  const candidates: Candidates = { replicas: [1, 2], cpus: [0.5, 1, 2], memory: [256, 512] };
  const capacity = randomMonotoneCapacity(createRandom(7), candidates, TARGET);
  const f = createSyntheticOracle({ capacity, ladder: LADDER });
  await frontierSearch(options(candidates, f.oracle, { startAboveHeld: false }));
  assert.ok(f.calls.every((c) => c.startUsers === 500));
});

test('an invalid first attempt is retried and the answer is unchanged', async () => {
  for (let seed = 1; seed <= 100; seed++) {
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET);
    const f = createSyntheticOracle({ capacity, ladder: LADDER, flakyAttempts: (_c, attempt) => attempt === 1 });
    const result = await frontierSearch(options(candidates, f.oracle, { retries: 1 }));
    assert.deepEqual(answerKeys(result.answer), groundTruth(capacity, candidates, TARGET), `seed ${seed}`);
    assert.ok(f.calls.every((c, i) => c.attempt === (i % 2 === 0 ? 1 : 2)), 'every trial was tried twice');
  }
});

test('a generator that cannot reach the target leaves the answer undecided, never a failure of the API', async () => {
  const candidates: Candidates = { replicas: [1, 2], cpus: [0.5, 1, 2], memory: [256, 512] };
  const capacity = new Map([...randomMonotoneCapacity(createRandom(3), candidates, TARGET)].map(([k]) => [k, 20_000]));
  const f = createSyntheticOracle({ capacity, ladder: LADDER, generatorLimit: 7000 });
  const result = await frontierSearch(options(candidates, f.oracle, { retries: 2 }));
  assert.equal(result.answer.best, null);
  for (const r of result.answer.per_replicas) {
    assert.equal(r.best, null);
    assert.ok(r.undecided.length > 0);
  }
  // nothing was recorded as failing: every measurement held 7000 with an unknown upper bound
  for (const m of result.knowledge.measurements()) {
    assert.equal(m.upper, null);
    assert.equal(m.held, 7000);
  }
  // retries start above what the invalid attempt held
  assert.ok(f.calls.filter((c) => c.attempt > 1).every((c) => c.startUsers === 7500));
});

test('the remaining-trials estimate never undercounts and reaches zero when the search is done', async () => {
  for (let seed = 1; seed <= 200; seed++) {
    const confirmInferred = seed % 2 === 0;
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET);
    const knowledge = createKnowledge({ monotoneInReplicas: true });
    const f = createSyntheticOracle({ capacity, ladder: LADDER });
    const estimates: number[] = [];
    const wrapped: SearchOptions['oracle'] = async (request) => {
      const answer = await f.oracle(request);
      knowledge.record({ ...answer, held: Math.max(answer.held, request.knownHeld) });
      estimates.push(estimateRemainingTrials(knowledge, candidates, LADDER, confirmInferred));
      return answer;
    };
    const initial = estimateRemainingTrials(knowledge, candidates, LADDER, confirmInferred);
    const result = await frontierSearch(options(candidates, wrapped, { confirmInferred }));
    assert.ok(initial >= result.trials, `seed ${seed}: estimated ${initial}, ran ${result.trials}`);
    estimates.forEach((left, i) => assert.ok(left >= result.trials - i - 1, `seed ${seed}: after ${i + 1} trials estimated ${left} left, ran ${result.trials}`));
    assert.equal(estimates.at(-1), 0, `seed ${seed}`);
  }
});

test('a first-step failure of a trial that started above the bottom is run again from one step lower, and only the re-run counts', async () => {
  const candidates: Candidates = { replicas: [1, 2], cpus: [0.25, 0.5], memory: [256] };
  // warm capacities; 2 x 0.25 fails its first judged step whenever it starts above the ladder's bottom cold
  const capacity = new Map([
    [configKey({ replicas: 1, cpus: 0.25, memory_mib: 256 }), 4000],
    [configKey({ replicas: 1, cpus: 0.5, memory_mib: 256 }), 10_000],
    [configKey({ replicas: 2, cpus: 0.25, memory_mib: 256 }), 10_000],
    [configKey({ replicas: 2, cpus: 0.5, memory_mib: 256 }), 10_000],
  ]);
  const warm = createSyntheticOracle({ capacity, ladder: LADDER });
  const cold = configKey({ replicas: 2, cpus: 0.25, memory_mib: 256 });
  const calls: { key: string; startUsers: number; attempt: number }[] = [];
  const oracle: SearchOptions['oracle'] = async (request) => {
    calls.push({ key: configKey(request.config), startUsers: request.startUsers, attempt: request.attempt });
    const seen = calls.filter((c) => c.key === configKey(request.config)).length;
    if (configKey(request.config) === cold && seen === 1) return { config: request.config, held: 0, upper: request.startUsers - 500, valid: true };
    return warm.oracle(request);
  };
  const result = await frontierSearch(options(candidates, oracle, { rerunFirstStepFailure: true }));
  const coldCalls = calls.filter((c) => c.key === cold);
  // started above what 1 x 0.25 held (4,000), failed there, ran again one step lower as attempt 2
  assert.deepEqual(coldCalls, [
    { key: cold, startUsers: 4500, attempt: 1 },
    { key: cold, startUsers: 4000, attempt: 2 },
  ]);
  const two = result.answer.per_replicas.find((a) => a.replicas === 2);
  assert.equal(two?.best && configKey(two.best), cold, 'the warm re-run decided: 2 x 0.25 holds the target');
  assert.equal(result.knowledge.measurement({ replicas: 2, cpus: 0.25, memory_mib: 256 })?.upper, null, 'the cold failure was not recorded');

  // without the rule the cold failure counts
  calls.length = 0;
  const strict = await frontierSearch(options(candidates, oracle, { rerunFirstStepFailure: false }));
  assert.equal(strict.answer.per_replicas.find((a) => a.replicas === 2)?.best && configKey(strict.answer.per_replicas.find((a) => a.replicas === 2)!.best!), configKey({ replicas: 2, cpus: 0.5, memory_mib: 256 }));
});

test('with first-step re-runs on, 300 random monotone tables still give the ground truth', async () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = createRandom(seed);
    const candidates = randomCandidates(random);
    const capacity = randomMonotoneCapacity(random, candidates, TARGET);
    const f = createSyntheticOracle({ capacity, ladder: LADDER });
    const frontier = await frontierSearch(options(candidates, f.oracle, { rerunFirstStepFailure: true }));
    assert.deepEqual(answerKeys(frontier.answer), groundTruth(capacity, candidates, TARGET), `seed ${seed}`);
  }
});
