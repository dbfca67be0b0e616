/** Least-squares line through (x, y) points, and what the benchmark derives from it. Pure. */
export interface Line {
  intercept: number;
  slope: number;
}

export function fitLine(points: readonly { x: number; y: number }[]): Line | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}

/** x where the line reaches y (null if it never rises) */
export function solveFor(line: Line, y: number): number | null {
  return line.slope > 0 ? (y - line.intercept) / line.slope : null;
}
