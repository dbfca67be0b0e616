/**
 * A log-linear latency histogram in whole microseconds (HdrHistogram's layout, 1,024 sub-buckets
 * per power of two: every value up to 2 ms is exact, above it the bucket is within 0.1 %). Fixed
 * memory (about 100 KB) whatever the number of requests, and two histograms add up exactly: the
 * percentiles of a merge are those of all the samples together, to the bucket.
 *
 * Dependency-free: the pacer (run by Node 24 with type stripping) and the runner both import it.
 */

const SUB_BITS = 10;
const SUB = 1 << SUB_BITS;
/** values from 2^31 µs (about 36 minutes) on land in the last bucket */
const CAP = 2 ** 31;
const SIZE = (31 - SUB_BITS + 2) * SUB;

export function bucketOf(us: number): number {
  const v = us <= 0 ? 0 : Math.round(us);
  if (v < 2 * SUB) return v;
  if (v >= CAP) return SIZE - 1;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return shift * SUB + (v >>> shift);
}

/** The smallest value a bucket holds, µs. */
export function bucketLow(index: number): number {
  if (index < 2 * SUB) return index;
  const shift = Math.floor(index / SUB) - 1;
  return (index - shift * SUB) * 2 ** shift;
}

/** The middle of a bucket, µs. */
export function bucketValue(index: number): number {
  if (index < 2 * SUB) return index;
  const shift = Math.floor(index / SUB) - 1;
  const low = (index - shift * SUB) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

export interface LatencyStats {
  avg: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

/**
 * A histogram as JSON, compactly: its non-zero buckets as [index, count] pairs, plus what the
 * buckets alone cannot give back (sum, min, max), so a decoded histogram merges and reports
 * exactly as the one that recorded the samples.
 */
export interface HistogramData {
  count: number;
  sum_us: number;
  /** null when empty */
  min_us: number | null;
  max_us: number;
  buckets: [number, number][];
}

export class Histogram {
  readonly counts = new Uint32Array(SIZE);
  count = 0;
  sumUs = 0;
  minUs = Infinity;
  maxUs = 0;

  record(us: number): void {
    this.counts[bucketOf(us)]!++;
    this.count++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Adds another histogram's samples to this one. */
  add(other: Histogram): void {
    for (let i = 0; i < SIZE; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sumUs += other.sumUs;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  encode(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { count: this.count, sum_us: this.sumUs, min_us: this.count === 0 ? null : this.minUs, max_us: this.maxUs, buckets };
  }

  /** The histogram `encode` wrote; throws a RangeError on a bucket index out of range or counts that do not add up. */
  static decode(data: HistogramData): Histogram {
    const h = new Histogram();
    let n = 0;
    for (const [index, count] of data.buckets) {
      if (!(Number.isInteger(index) && index >= 0 && index < SIZE)) throw new RangeError(`histogram bucket ${index} is out of range`);
      h.counts[index]! += count;
      n += count;
    }
    if (n !== data.count) throw new RangeError(`histogram buckets hold ${n} samples, its count says ${data.count}`);
    h.count = data.count;
    h.sumUs = data.sum_us;
    h.minUs = data.min_us ?? Infinity;
    h.maxUs = data.max_us;
    return h;
  }

  /** How many samples are certainly above `us` (their whole bucket is): never an overcount. */
  countAbove(us: number): number {
    let n = 0;
    for (let i = bucketOf(us) + 1; i < SIZE; i++) n += this.counts[i]!;
    return n;
  }

  /** The value below which p % of the samples lie (nearest rank), µs; 0 when empty. */
  percentileUs(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(Math.max(bucketValue(i), this.minUs), this.maxUs);
    }
    return this.maxUs;
  }

  /** The raw result's latency block, in milliseconds. */
  stats(): LatencyStats {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      avg: this.count === 0 ? 0 : ms(this.sumUs / this.count),
      p50: ms(this.percentileUs(50)),
      p90: ms(this.percentileUs(90)),
      p95: ms(this.percentileUs(95)),
      p99: ms(this.percentileUs(99)),
      max: ms(this.maxUs),
      count: this.count,
    };
  }
}
