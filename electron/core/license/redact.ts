import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A key's masked form for logs and the UI: the first 8 and last 4 characters (`ESK1.eyJ…a1b2`). Short or odd input
 * reveals nothing. Never log a key any other way.
 */
export function redactKey(key: string | undefined | null): string {
  if (typeof key !== 'string' || key.length === 0) return '(none)';
  const k = key.trim();
  if (k.length < 20) return '…';
  return `${k.slice(0, 8)}…${k.slice(-4)}`;
}

/**
 * Compares two secrets in time that does not depend on where they differ: both sides are hashed to equal-length
 * SHA-256 digests and compared with crypto.timingSafeEqual (so the length of the configured key does not leak either).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** True when `presented` equals one of `configured`; every entry is compared, so the position of a match does not leak. */
export function matchesAnyKey(presented: string, configured: readonly string[]): boolean {
  let found = false;
  for (const c of configured) found = constantTimeEqual(presented, c) || found;
  return found;
}
