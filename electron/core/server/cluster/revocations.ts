/**
 * Revocation lists across the cluster. A list imported on any node (`earshot license revoke-import`, which writes
 * the node's data folder) is published to Redis; every node polls Redis and installs a newer list through its
 * license service, which verifies the signature again (Redis is not trusted with what a list says). Polling every
 * 250 ms on both sides keeps a revocation under a second from import to refusal on every node.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { LicenseService } from '../../license/index.ts';
import { dataPaths } from '../../paths.ts';

export const REVOCATION_POLL_MS = 250;

/** Stores the list only when it is newer than the one already there (atomic compare in Lua). */
const PUBLISH = `
local current = redis.call('HGET', KEYS[1], 'issuedAt')
if current and current >= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'issuedAt', ARGV[1], 'text', ARGV[2])
return 1
`;

export function syncRevocations(
  redis: Redis,
  prefix: string,
  service: LicenseService,
  log: (message: string) => void,
): { close(): void } {
  const key = `${prefix}revocations`;
  const file = path.join(dataPaths(service.dataDir).license, 'revoked.json');
  let stamp = '';
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      // This node's file changed (an import here): publish it if it is the newest.
      const st = await stat(file).catch(() => undefined);
      const now = st ? `${st.size}:${st.mtimeMs}:${st.ino}` : '';
      if (now && now !== stamp) {
        stamp = now;
        const text = await readFile(file, 'utf8');
        const list = service.checkRevocationList(text);
        await redis.eval(PUBLISH, 1, key, list.issuedAt, text);
      }
      // Another node published a newer list: install it here.
      const published = await redis.hgetall(key);
      const mine = service.revocationList()?.issuedAt ?? '';
      if (published.text && published.issuedAt > mine) {
        const list = await service.importRevocationList(published.text);
        stamp = '';
        log(`revocation list of ${list.issuedAt} installed from the cluster (${list.ids.size} licenses)`);
      }
    } catch {
      // Redis away or a bad list: the next tick tries again; requests meanwhile are refused while Redis is away.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), REVOCATION_POLL_MS);
  timer.unref();
  void tick();
  return { close: () => clearInterval(timer) };
}
