// HTTP Negotiate behind the README's nginx example (docs/nginx-portcullis.conf, as shipped but for addresses and
// certificates): manygroups' big Authorization header passes nginx's large_client_header_buffers and signs in, and a
// 20 KB one (past nginx's default 8k buffers and Node's default 16 KiB) still reaches the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KerberosClient, KerberosInitiator } from '../../../src/krb/index.js';
import { SERVICE_ACCOUNT } from '../../fixtures/domain-data.js';
import { startNginxInFront, type NginxInFront } from '../../fixtures/nginx.js';
import { DEMO_PASSWORD } from '../../fixtures/paths.js';
import { requireDomain } from '../../fixtures/require-domain.js';
import { negotiateHeader } from '../../helpers/negotiate.js';
import { TlsHttpClient } from '../../helpers/tls-client.js';
import { startWebApp, type WebApp } from '../../helpers/web-app.js';

const PROXY = { https: 5284, http: 5285 };

describe('Negotiate through nginx', () => {
  const domain = requireDomain();
  const krb = new KerberosClient({ realm: domain.realm, kdcs: [{ host: domain.ip, port: 88 }] });
  let app: WebApp;
  let nginx: NginxInFront;

  beforeAll(async () => {
    app = await startWebApp(domain, {
      env: { AUTH_METHODS: 'password,negotiate', KRB_SERVICE_PRINCIPAL: SERVICE_ACCOUNT, KRB_KEYTAB: domain.kerberos.keytab, TRUST_PROXY: 'loopback', SESSION_COOKIE_SECURE: 'true' },
    });
    nginx = await startNginxInFront({ name: 'sso', upstreams: [new URL(app.url).host], ...PROXY });
  }, 120_000);
  afterAll(async () => {
    await nginx?.stop();
    await app?.close();
  });

  it('manygroups signs in with its Kerberos ticket through nginx and sees its home', async () => {
    const service = await krb.getServiceTicket(await krb.getTgt('manygroups', DEMO_PASSWORD), domain.kerberos.httpSpn);
    const client = new TlsHttpClient(`https://127.0.0.1:${PROXY.https}`, { ca: nginx.ca });
    const res = await client.get('/login?next=%2Fbrowse%2Fhome%2F', { headers: { Authorization: negotiateHeader(new KerberosInitiator({ service, now: () => krb.kdcNow() })) } });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/browse/home/');
    expect((await client.get('/browse/home/')).status).toBe(200);
  });

  it('a 20 KB Authorization header reaches the app (its 401 challenge), not nginx\'s 400', async () => {
    const client = new TlsHttpClient(`https://127.0.0.1:${PROXY.https}`, { ca: nginx.ca });
    const res = await client.get('/login', { headers: { Authorization: `Negotiate ${Buffer.alloc(15_000, 1).toString('base64')}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Negotiate');
  });
});
