/**
 * The one rule for URLs Earshot takes from users: the desktop's pasted links (`jobs/sources.ts`, and the renderer's
 * inline check through the contract), URL sources handed to the decoder (`audio/fetch-url.ts`, again on every
 * redirect) and the API's `url` and `callback_url` (`server/url-policy.ts`). The same text gives the same code
 * everywhere:
 * - not a URL at all → INVALID_PARAMETER;
 * - a scheme other than http or https → URL_NOT_ALLOWED (`scheme` in the details);
 * - a media URL with a user name or password → URL_NOT_ALLOWED (a webhook may carry basic-auth credentials).
 * Where the address may point (private ranges) is the network's side: `audio/address-policy.ts`.
 * Pure: no Node built-ins, so the renderer can run it.
 */
import { EarshotError } from './errors.ts';

export interface UrlRuleOptions {
  /** The request field the URL came in (`url`, `callback_url`): named in the message and in `details.parameter`. */
  field?: string;
  /** `media` (the default): something to download and transcribe; `callback`: a webhook to post to. */
  role?: 'media' | 'callback';
}

/** Parses `text` as an http(s) URL by the rule above, or throws the rule's EarshotError. */
export function parseUserUrl(text: string, options: UrlRuleOptions = {}): URL {
  const { field, role = 'media' } = options;
  const prefix = field ? `${field}: ` : '';
  const where = field ? { parameter: field } : {};
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new EarshotError('INVALID_PARAMETER', `${prefix}Not a valid URL (a link starts with https://)`, where);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.replace(/:$/, '');
    throw new EarshotError('URL_NOT_ALLOWED', `${prefix}Only http:// and https:// links work (got ${scheme}://)`, {
      ...where,
      scheme,
    });
  }
  if (role === 'media' && (url.username || url.password)) {
    throw new EarshotError('URL_NOT_ALLOWED', `${prefix}Links with a user name or password are not allowed`, where);
  }
  return url;
}

/** The rule's verdict without throwing: undefined when `text` is an acceptable media link. */
export function urlProblem(text: string, options: UrlRuleOptions = {}): { code: string; message: string } | undefined {
  try {
    parseUserUrl(text, options);
    return undefined;
  } catch (e) {
    const err = e as EarshotError;
    return { code: err.code, message: err.message };
  }
}
