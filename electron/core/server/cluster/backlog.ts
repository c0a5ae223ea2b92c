/**
 * The cluster's backlog cap (`--queue`), exact over all API nodes: a request that may queue a job takes a slot in
 * one Redis sorted set, by a Lua script that counts and takes in one step (two nodes can never both take the last
 * slot), before its upload is read. The slot is held while the upload is read and the job waits, and is given back
 * when a worker takes the job, or when the request ends without a job left waiting (refused, failed, answered,
 * abandoned). A slot whose job is not queued yet expires after the request budget, so a node that dies mid-upload
 * leaks nothing; once its job is queued, the slot lasts until a worker takes the job.
 */
import type { Redis } from 'ioredis';
import { CLOCK } from './limits.ts';
import { redisUnavailable } from './redis.ts';

/** KEYS: backlog set. ARGV: cap, slot ('' = only count), ttlMs → {taken (1|0), slots held before}. */
const TAKE = `${CLOCK}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[1]) or ARGV[2] == '' then return {0, held} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
return {1, held}
`;

export class Backlog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}backlog`;
  }

  /**
   * Takes `slot` if fewer than `cap` are held; without a slot, only counts. Returns whether it was taken and how many
   * slots were held before.
   */
  async take(cap: number, slot: string | undefined, ttlMs: number): Promise<{ taken: boolean; held: number }> {
    try {
      const [taken, held] = (await this.redis.eval(TAKE, 1, this.key, cap, slot ?? '', ttlMs)) as [number, number];
      return { taken: taken === 1, held };
    } catch (e) {
      throw redisUnavailable(e);
    }
  }

  /** The slot's job is queued: it is held until a worker takes the job (unless already given back). */
  async queued(slot: string): Promise<void> {
    await this.redis.zadd(this.key, 'XX', '+inf', slot);
  }

  async release(slot: string): Promise<void> {
    await this.redis.zrem(this.key, slot);
  }
}
