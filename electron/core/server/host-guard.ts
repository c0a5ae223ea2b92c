/**
 * DNS-rebinding guard for the desktop's built-in server. A web page on evil.example can make its own name resolve to
 * 127.0.0.1 and then read this server as "same origin" (for instance `/health?detailed=true`); the browser still
 * sends `Host: evil.example` and its `Origin`. Real clients (curl, the SDKs, scripts) address the server by an IP
 * address, `localhost` or this computer's name, and send no Origin. So a request is served only when its Host is one
 * of those, and its Origin, if any, too. The standalone `earshot serve` is not guarded (it may sit behind a proxy
 * with a domain name); the desktop's server is.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EarshotError } from '../errors.ts';

function hostnameOf(hostHeader: string): string | undefined {
  try {
    // URL parsing handles ports, IPv6 brackets and case; anything it rejects is not a host we serve.
    const h = new URL(`http://${hostHeader}`).hostname.toLowerCase();
    return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  } catch {
    return undefined;
  }
}

/** IP literals, `localhost` and this computer's own names cannot be rebound by a web page. */
export function isTrustedHostname(hostname: string, extra: readonly string[] = []): boolean {
  const h = hostname.replace(/\.$/, '').toLowerCase();
  if (isIP(h) !== 0) return true;
  const own = os.hostname().toLowerCase();
  const names = new Set(['localhost', own, `${own}.local`, ...extra.map((n) => n.toLowerCase())]);
  return names.has(h);
}

/** Whether a request's Host and Origin headers may reach the server. */
export function hostAllowed(
  host: string | undefined,
  origin: string | undefined,
  extra: readonly string[] = [],
): boolean {
  const name = host ? hostnameOf(host) : undefined;
  if (!name || !isTrustedHostname(name, extra)) return false;
  if (origin === undefined) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname; // "null" (sandboxed frames, file: pages) throws: refused
  } catch {
    return false;
  }
  const bare = originHost.startsWith('[') ? originHost.slice(1, -1) : originHost;
  return isTrustedHostname(bare, extra);
}

/** A Fastify onRequest hook refusing requests whose Host or Origin a web page could have chosen. */
export function hostGuard(extra: readonly string[] = []) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const origin = request.headers.origin;
    if (hostAllowed(request.headers.host, typeof origin === 'string' ? origin : undefined, extra)) return;
    throw new EarshotError(
      'INVALID_PARAMETER',
      'This server only answers requests addressed to this computer (an IP address, localhost or its name), not from web pages',
      { reason: 'host_not_allowed' },
    );
  };
}
