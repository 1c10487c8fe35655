// Drives an OpenID Connect sign-in over HTTP as a browser without JavaScript would: from Portcullis's
// /auth/oidc to the provider, through its login form, and back, one redirect at a time.
import type { OidcProviderFixture } from '../fixtures/oidc-provider.js';
import { HttpClient, type Reply } from './http-client.js';

export type ProviderAction = { username: string; password: string } | 'cancel';

export interface OidcFlow {
  /** Portcullis's answer to /auth/oidc. */
  start: Reply;
  /** The callback URL the provider sent the browser back to (absolute), if it got that far. */
  callbackUrl: string | undefined;
  /** Portcullis's answer to that callback. */
  callback: Reply | undefined;
}

/** Follows the flow until the provider sends the browser back to Portcullis, then requests that callback once. */
export async function oidcSignIn(client: HttpClient, idp: OidcProviderFixture, action: ProviderAction, startPath = '/auth/oidc'): Promise<OidcFlow> {
  const start = await client.get(startPath);
  const callbackUrl = await throughProvider(client, idp, start, action);
  return { start, callbackUrl, callback: callbackUrl === undefined ? undefined : await client.get(callbackUrl) };
}

/** From Portcullis's redirect to the provider back to Portcullis: the callback URL, not yet requested. */
export async function throughProvider(client: HttpClient, idp: OidcProviderFixture, start: Reply, action: ProviderAction): Promise<string | undefined> {
  // One browser: the same cookie jar at both sites (their cookies' names differ).
  const atProvider = new HttpClient(idp.issuer, client.jar);
  let location = start.location === undefined ? undefined : new URL(start.location, client.baseUrl).href;
  for (let hop = 0; hop < 20 && location !== undefined; hop++) {
    // A relative Location is the provider's own (it sends /interaction/… bare).
    const url = new URL(location, idp.issuer).href;
    if (!url.startsWith(`${idp.issuer}/`)) return url;
    let reply = await atProvider.get(url);
    if (reply.status === 200 && reply.text.includes('name="password"')) {
      const action_ = /<form method="post" action="([^"]+)"/.exec(reply.text)?.[1];
      if (!action_) throw new Error('the provider login form has no action');
      const form: Record<string, string> = action === 'cancel' ? { cancel: '1' } : { username: action.username, password: action.password, login: '1' };
      reply = await atProvider.post(new URL(action_, idp.issuer).href, form);
      if (reply.status === 401) throw new Error('the provider refused the login');
    }
    if (reply.status < 300 || reply.status >= 400) throw new Error(`the provider answered ${reply.status}: ${reply.text.slice(0, 300)}`);
    location = reply.location;
  }
  throw new Error('too many redirects at the provider');
}
