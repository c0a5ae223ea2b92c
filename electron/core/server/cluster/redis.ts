/**
 * Redis connections for cluster mode, and what a Redis failure means to a client. ioredis is the client BullMQ is
 * built on. Two kinds of connection: BullMQ's blocking ones wait for Redis forever (maxRetriesPerRequest null, as
 * BullMQ requires), while the request path's commands fail at once when Redis is away, so that a client is told
 * 503 SERVICE_UNAVAILABLE instead of waiting or, worse, being let through unlimited.
 */
import { Redis } from 'ioredis';
import { EarshotError, isEarshotError } from '../../errors.ts';

/** Seconds a client is asked to wait when Redis cannot be reached. */
export const REDIS_RETRY_AFTER = 5;

export function blockingConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
  redis.on('error', () => {}); // reconnects on its own; failures surface on the commands that need Redis
  return redis;
}

export function requestConnection(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Generous: a slow answer from a loaded Redis is still an answer; an unreachable one fails at once (no offline queue).
    commandTimeout: 10_000,
    retryStrategy: (n) => Math.min(n * 200, 1000),
  });
  redis.on('error', () => {});
  return redis;
}

/** Any failure to talk to Redis, as the API's 503 (an EarshotError, e.g. QUOTA_EXCEEDED from a script, passes). */
export function redisUnavailable(e: unknown): unknown {
  if (isEarshotError(e)) return e;
  return new EarshotError('SERVICE_UNAVAILABLE', 'The cluster store (Redis) cannot be reached; try again shortly', {
    retry_after: REDIS_RETRY_AFTER,
  });
}

/**
 * Refuses a Redis that may evict keys: an evicted limit counter would let a license through unlimited, an evicted
 * job would be lost. BullMQ needs `noeviction` for the same reason.
 */
export async function assertNoEviction(redis: Redis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1];
  if (policy !== 'noeviction') {
    throw new EarshotError(
      'SERVICE_UNAVAILABLE',
      `Redis has maxmemory-policy '${policy}'; cluster mode needs 'noeviction' (an evicted limit counter or job ` +
        'would be lost silently). Set it with: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf)',
    );
  }
}

/** Waits until the connection is ready (or throws after `ms`). */
export async function connected(redis: Redis, ms = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new EarshotError('SERVICE_UNAVAILABLE', `Redis did not answer within ${ms / 1000} s`));
    }, ms);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** BullMQ adds its own ':' after the prefix. */
export function bullPrefix(prefix: string): string {
  return prefix.replace(/:$/, '');
}
