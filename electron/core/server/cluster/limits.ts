/**
 * License limits counted for the whole cluster in Redis: requests per minute, requests running at once and the day's
 * audio quota of each license. Each check-and-take is one Lua script (atomic in Redis) reading Redis `TIME`, so
 * every node counts on the same clock, and two API nodes can never both take the last slot. A job is charged at most
 * once, by its id, however often it runs (a retry after a worker died charges nothing more).
 *
 * Key validity (signature, expiry, revocation) is still checked on the node, by the license service, before Redis is
 * asked anything.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EarshotError, isEarshotError } from '../../errors.ts';
import { type LicenseService, quotaExceeded } from '../../license/index.ts';
import type { LicenseGate, LicenseLease } from '../services.ts';
import { redisUnavailable } from './redis.ts';

/** A concurrency slot left behind by a node that died expires after the longest a request may take, plus a margin. */
const SLOT_MARGIN_MS = 60_000;
/** A charge is remembered (against a second charge of the same job) for longer than any job lives. */
const CHARGE_MEMORY_SECONDS = 3 * 86_400;

// Redis TIME → ms (`now`) and UTC day number (`day`), the one clock of every node's scripts (backlog.ts too). Keys are
// built inside the scripts from the day: one Redis, not Redis Cluster.
export const CLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local day = math.floor(tonumber(t[1]) / 86400)
`;

/** ARGV: prefix, licenseId, rpm, concurrency, quotaSeconds, leaseId, slotTtlMs → {'OK'} | {'QUOTA', used, nowMs} | {'CONC'} | {'RPM', retryAfter} */
const ADMIT = `${CLOCK}
local p, id = ARGV[1], ARGV[2]
local quota = p .. 'quota:' .. id .. ':' .. day
local used = tonumber(redis.call('GET', quota) or '0')
if used >= tonumber(ARGV[5]) then return {'QUOTA', tostring(used), tostring(now)} end
local conc = p .. 'conc:' .. id
redis.call('ZREMRANGEBYSCORE', conc, '-inf', now)
if redis.call('ZCARD', conc) >= tonumber(ARGV[4]) then return {'CONC'} end
local rpm = p .. 'rpm:' .. id
redis.call('ZREMRANGEBYSCORE', rpm, '-inf', now - 60000)
local n = redis.call('ZCARD', rpm)
local limit = tonumber(ARGV[3])
if n >= limit then
  local oldest = redis.call('ZRANGE', rpm, n - limit, n - limit, 'WITHSCORES')
  return {'RPM', tostring(math.max(1, math.ceil((tonumber(oldest[2]) + 60000 - now) / 1000)))}
end
redis.call('ZADD', rpm, now, ARGV[6])
redis.call('PEXPIRE', rpm, 61000)
redis.call('ZADD', conc, now + tonumber(ARGV[7]), ARGV[6])
redis.call('PEXPIRE', conc, tonumber(ARGV[7]) + 1000)
return {'OK'}
`;

/** ARGV: prefix, chargeId, licenseId, seconds, quotaSeconds → {'OK'} | {'ALREADY'} | {'QUOTA', used, nowMs} */
const CHARGE = `${CLOCK}
local p = ARGV[1]
local done = p .. 'charged:' .. ARGV[2]
if redis.call('EXISTS', done) == 1 then return {'ALREADY'} end
local quota = p .. 'quota:' .. ARGV[3] .. ':' .. day
local used = tonumber(redis.call('GET', quota) or '0')
if used + tonumber(ARGV[4]) > tonumber(ARGV[5]) then return {'QUOTA', tostring(used), tostring(now)} end
redis.call('INCRBYFLOAT', quota, ARGV[4])
redis.call('EXPIRE', quota, ${CHARGE_MEMORY_SECONDS})
redis.call('SET', done, '1', 'EX', ${CHARGE_MEMORY_SECONDS})
return {'OK'}
`;

/** ARGV: prefix, licenseId → seconds used today (by Redis TIME). */
const USED = `${CLOCK}
return redis.call('GET', ARGV[1] .. 'quota:' .. ARGV[2] .. ':' .. day) or '0'
`;

/** What a worker needs to charge and release a job's license use. */
export interface LicenseTicket {
  licenseId: string;
  quotaSeconds: number;
  /** The concurrency slot this request holds (a callback job's slot is released by the worker that ends it). */
  leaseId: string;
}

export interface ClusterLease extends LicenseLease {
  ticket: LicenseTicket;
}

export class ClusterLimits {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async admit(
    licenseId: string,
    limits: { rpm: number; concurrency: number; quotaSeconds: number },
    leaseId: string,
    slotTtlMs: number,
  ): Promise<void> {
    const reply = (await this.run(ADMIT, [
      licenseId,
      limits.rpm,
      limits.concurrency,
      limits.quotaSeconds,
      leaseId,
      slotTtlMs,
    ])) as string[];
    if (reply[0] === 'QUOTA') throw quotaExceeded(Number(reply[1]), limits.quotaSeconds, Number(reply[2]));
    if (reply[0] === 'CONC') {
      throw new EarshotError('RATE_LIMIT_EXCEEDED', `${limits.concurrency} requests already running`, {
        retry_after: 1,
      });
    }
    if (reply[0] === 'RPM') {
      throw new EarshotError('RATE_LIMIT_EXCEEDED', `${limits.rpm} requests per minute`, {
        retry_after: Number(reply[1]),
      });
    }
  }

  /** Charges `seconds` once for `chargeId`; a second charge of the same id does nothing. */
  async charge(chargeId: string, ticket: LicenseTicket, seconds: number): Promise<'charged' | 'already'> {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new EarshotError('INVALID_PARAMETER', 'Audio duration must be a non-negative number of seconds');
    }
    const reply = (await this.run(CHARGE, [chargeId, ticket.licenseId, seconds, ticket.quotaSeconds])) as string[];
    if (reply[0] === 'QUOTA') throw quotaExceeded(Number(reply[1]), ticket.quotaSeconds, Number(reply[2]));
    return reply[0] === 'ALREADY' ? 'already' : 'charged';
  }

  async release(ticket: Pick<LicenseTicket, 'licenseId' | 'leaseId'>): Promise<void> {
    await this.redis.zrem(`${this.prefix}conc:${ticket.licenseId}`, ticket.leaseId);
  }

  async usedToday(licenseId: string): Promise<number> {
    return Number(await this.run(USED, [licenseId]));
  }

  private async run(script: string, args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.eval(script, 0, this.prefix, ...args.map(String));
    } catch (e) {
      throw redisUnavailable(e);
    }
  }
}

/**
 * The server's license gate in cluster mode: the node checks the key itself, Redis counts the limits. When Redis
 * cannot be reached the request is refused with 503 (never let through unlimited).
 */
export function clusterLicenseGate(
  base: LicenseGate,
  service: LicenseService,
  limits: ClusterLimits,
  slotTtlMs: number,
  configuredKeys: () => readonly string[],
): LicenseGate {
  return {
    ...base,
    async authorize(key, clientAddress): Promise<ClusterLease> {
      let claims: ReturnType<LicenseService['verify']>;
      try {
        claims = service.verify(key);
      } catch (e) {
        if (isEarshotError(e) && e.code === 'INVALID_LICENSE') {
          (e as { delayMs?: number }).delayMs = service.recordAuthFailure(clientAddress);
        }
        throw e;
      }
      const ticket: LicenseTicket = {
        licenseId: claims.id,
        quotaSeconds: claims.limits.audioHoursPerDay * 3600,
        leaseId: randomBytes(10).toString('hex'),
      };
      await limits.admit(
        claims.id,
        {
          rpm: claims.limits.requestsPerMinute,
          concurrency: claims.limits.concurrentRequests,
          quotaSeconds: ticket.quotaSeconds,
        },
        ticket.leaseId,
        slotTtlMs + SLOT_MARGIN_MS,
      );
      let parts = 0;
      let released = false;
      return {
        ticket,
        // Live streams on this node charge as they go, each part once.
        recordAudio: async (seconds) => {
          await limits.charge(`${ticket.leaseId}:${++parts}`, ticket, seconds);
        },
        release: () => {
          if (released) return;
          released = true;
          // A slot that cannot be freed now (Redis away) expires on its own.
          limits.release(ticket).catch(() => {});
        },
      };
    },
    async usage() {
      const seen = new Map<string, { licenseId: string; audioSecondsToday: number; audioSecondsPerDay: number }>();
      for (const key of configuredKeys()) {
        try {
          const claims = service.verify(key);
          seen.set(claims.id, {
            licenseId: claims.id,
            audioSecondsToday: await limits.usedToday(claims.id).catch(() => 0),
            audioSecondsPerDay: claims.limits.audioHoursPerDay * 3600,
          });
        } catch (e) {
          if (!isEarshotError(e)) throw e;
        }
      }
      return [...seen.values()];
    },
  };
}
