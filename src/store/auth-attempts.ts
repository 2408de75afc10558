/** Exponential back-off once the threshold is reached: 1 s, 2 s, 4 s … up to maxBlockMs, for the attempts after this one. */
export function blockUntil(failures: number, now: number, policy: { threshold: number; maxBlockMs: number }): number | null {
  if (failures < policy.threshold) return null;
  const exp = Math.min(failures - policy.threshold, 30);
  return now + Math.min(1000 * 2 ** exp, policy.maxBlockMs);
}
