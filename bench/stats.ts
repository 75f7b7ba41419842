/** Median of a sample (NaN for an empty one): benchmarks report medians, never single times. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** min / median / max of a sample, and its size: every timed figure is reported this way. */
export interface Summary { min: number; median: number; max: number; n: number }

export function summary(values: number[]): Summary {
  const r = (x: number) => Math.round(x * 10) / 10;
  if (values.length === 0) return { min: NaN, median: NaN, max: NaN, n: 0 };
  return { min: r(Math.min(...values)), median: r(median(values)), max: r(Math.max(...values)), n: values.length };
}
