/**
 * Which URLs the server will fetch from or post to. Only http and https; and unless the operator allows it, never a
 * private, loopback or link-local address (checked on every resolved address, so a public name that points inward is
 * refused too). The audio module's address rules are used, and it applies them again while downloading, on every hop.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../audio/address-policy.ts';
import { EarshotError } from '../errors.ts';
import { parseUserUrl } from '../url-rule.ts';

/**
 * Parses a request's URL field by the one URL rule (`core/url-rule.ts`): INVALID_PARAMETER when it is not a URL,
 * URL_NOT_ALLOWED for other schemes (and, for media, embedded credentials), each naming the field.
 */
export function parseHttpUrl(value: string, field: string): URL {
  return parseUserUrl(value, { field, role: field === 'callback_url' ? 'callback' : 'media' });
}

/** Throws URL_NOT_ALLOWED when the host is (or resolves to) a private address and that is not allowed. */
export async function assertReachableUrl(url: URL, field: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (e) {
      throw new EarshotError(
        'URL_FETCH_FAILED',
        `${field}: cannot resolve ${host}`,
        { parameter: field },
        { cause: e },
      );
    }
  }
  if (addresses.some(isPrivateAddress)) {
    throw new EarshotError(
      'URL_NOT_ALLOWED',
      `${field}: private, loopback and link-local addresses are refused (start the server with --allow-private-urls to allow them)`,
      { parameter: field },
    );
  }
}
