/**
 * Which URLs the server will fetch from or post to. Only http and https; and unless the operator allows it, never a
 * private, loopback or link-local address (checked on every resolved address, so a public name that points inward is
 * refused too). The audio module's address rules are used, and it applies them again while downloading, on every hop.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '../audio/address-policy.ts';
import { EarshotError } from '../errors.ts';

/** Parses and checks the scheme; throws INVALID_PARAMETER/URL_NOT_ALLOWED naming the field. */
export function parseHttpUrl(value: string, field: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EarshotError('INVALID_PARAMETER', `${field} is not a valid URL`, { parameter: field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EarshotError(
      'URL_NOT_ALLOWED',
      `${field}: only http and https URLs are supported (got ${url.protocol.replace(':', '')}://)`,
      { parameter: field },
    );
  }
  return url;
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
