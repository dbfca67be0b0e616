/** Order statistics for small benchmark samples. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { n, median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, values: sorted.map((v) => Math.round(v * 10) / 10) };
}
