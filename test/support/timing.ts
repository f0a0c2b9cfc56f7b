/** A pause, for what is measured over time (a drip, a throttled reader), never to wait for an event. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile of an ascending list (nearest rank); NaN for an empty one. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
