import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keytabBytes } from './keytab-bytes.js';
import { loadConfig } from '../../../src/config/index.js';

describe('SMB_AUTH, KRB_REALM, KRB_KDCS', () => {
  it('default to auto, the base DN as realm and the LDAP hosts as KDCs; take overrides; refuse bad values by name', () => {
    const base = { LDAP_URLS: 'ldaps://dc1.example.test:636,ldap://[::1]', LDAP_BASE_DN: 'DC=example,DC=test' };
    const c = loadConfig(base);
    expect(c.smb.auth).toBe('auto');
    // Without KRB_KDCS: DNS SRV at the system's resolvers, then the LDAP hosts.
    expect(c.kerberos).toEqual({
      realm: 'EXAMPLE.TEST',
      kdcs: [{ host: 'dc1.example.test', port: 88 }, { host: '::1', port: 88 }],
      srv: { dnsServers: [] },
      service: undefined,
    });
    const o = loadConfig({ ...base, SMB_AUTH: 'kerberos', KRB_REALM: 'corp.example', KRB_KDCS: 'kdc1,kdc2:8888', KRB_DNS_SERVERS: '10.0.0.53' });
    expect(o.smb.auth).toBe('kerberos');
    // Explicit KDCs: no look-up, whatever KRB_DNS_SERVERS says.
    expect(o.kerberos).toEqual({ realm: 'CORP.EXAMPLE', kdcs: [{ host: 'kdc1', port: 88 }, { host: 'kdc2', port: 8888 }], srv: undefined, service: undefined });
    expect(loadConfig({}).kerberos).toEqual({ realm: undefined, kdcs: [], srv: { dnsServers: [] }, service: undefined });
    expect(() => loadConfig({ SMB_AUTH: 'ntlmv1' })).toThrow(/^SMB_AUTH: expected kerberos, ntlm or auto/);
  });
});

describe('KRB_DNS_SERVERS', () => {
  it('takes IP addresses with an optional port (53 by default) in the form node:dns wants; refuses names by name', () => {
    const c = loadConfig({ LDAP_URLS: 'ldaps://dc1.example.test', KRB_DNS_SERVERS: '10.0.0.53, 127.0.0.81:5353,::1,[fd00::53]:5300' });
    expect(c.kerberos.srv).toEqual({ dnsServers: ['10.0.0.53:53', '127.0.0.81:5353', '[::1]:53', '[fd00::53]:5300'] });
    expect(() => loadConfig({ KRB_DNS_SERVERS: 'dns.example.test' })).toThrow(/^KRB_DNS_SERVERS: expected a comma-separated list of IP address\[:port\]/);
    expect(() => loadConfig({ KRB_DNS_SERVERS: '10.0.0.53:70000' })).toThrow(/^KRB_DNS_SERVERS: /);
  });
});

describe('AUTH_METHODS, KRB_SERVICE_PRINCIPAL, KRB_KEYTAB, KRB_SERVICE_PASSWORD, HTTP_MAX_HEADER_BYTES', () => {
  const base = { LDAP_URLS: 'ldaps://dc1.example.test', LDAP_BASE_DN: 'DC=example,DC=test' };
  const dir = mkdtempSync(join(tmpdir(), 'pc-keytab-'));
  const keytab = join(dir, 'svc.keytab');
  writeFileSync(keytab, keytabBytes([{ realm: 'EXAMPLE.TEST', parts: ['svc-portcullis'], kvno: 2, etype: 18, key: Buffer.alloc(32, 7) }]));
  const otherKeytab = join(dir, 'other.keytab');
  writeFileSync(otherKeytab, keytabBytes([{ realm: 'EXAMPLE.TEST', parts: ['someone-else'], kvno: 2, etype: 18, key: Buffer.alloc(32, 7) }]));

  it('default to password only, and a 64 KiB header limit', () => {
    const c = loadConfig(base);
    expect(c.authMethods).toEqual(['password']);
    expect(c.kerberos.service).toBeUndefined();
    expect(c.server.maxHeaderBytes).toBe(65_536);
    expect(loadConfig({ ...base, HTTP_MAX_HEADER_BYTES: '131072' }).server.maxHeaderBytes).toBe(131_072);
    expect(() => loadConfig({ ...base, HTTP_MAX_HEADER_BYTES: '100' })).toThrow(/^HTTP_MAX_HEADER_BYTES: expected an integer 8192–1048576/);
  });

  it('take a list; refuse an unknown method by name', () => {
    const c = loadConfig({ ...base, AUTH_METHODS: 'negotiate, Password', KRB_SERVICE_PRINCIPAL: 'svc-portcullis', KRB_KEYTAB: keytab });
    expect(c.authMethods).toEqual(['negotiate', 'password']);
    expect(c.kerberos.service).toEqual({ principal: 'svc-portcullis', keytab, password: undefined });
    expect(() => loadConfig({ ...base, AUTH_METHODS: 'password,saml' })).toThrow(/^AUTH_METHODS: expected a comma-separated list of password, oidc, negotiate/);
  });

  it('single sign-on needs the service account and its key: one line naming what is missing', () => {
    // OpenID Connect's own settings (src/config/oidc.ts), so these lines are about the delegation set-up only.
    const idp = { OIDC_ISSUER: 'https://login.example.edu/', OIDC_CLIENT_ID: 'portcullis', OIDC_CLIENT_SECRET: 'client-secret' };
    expect(() => loadConfig({ ...base, ...idp, AUTH_METHODS: 'oidc' })).toThrow(/^KRB_SERVICE_PRINCIPAL: needed for AUTH_METHODS=oidc/);
    expect(() => loadConfig({ ...base, ...idp, AUTH_METHODS: 'oidc', KRB_SERVICE_PRINCIPAL: 'svc-portcullis' })).toThrow(/^KRB_KEYTAB: needed .*KRB_SERVICE_PASSWORD/);
    expect(() => loadConfig({ ...base, AUTH_METHODS: 'negotiate', KRB_SERVICE_PRINCIPAL: 'svc-portcullis', KRB_KEYTAB: keytab, SMB_AUTH: 'ntlm' })).toThrow(/^SMB_AUTH: ntlm cannot serve negotiate/);
    expect(() => loadConfig({ ...base, AUTH_METHODS: 'negotiate', KRB_SERVICE_PRINCIPAL: 'svc-portcullis', KRB_KEYTAB: otherKeytab })).toThrow(
      /^KRB_KEYTAB: ".*other\.keytab" has no AES key for svc-portcullis@EXAMPLE\.TEST \(it holds someone-else@EXAMPLE\.TEST\)/,
    );
    const withPassword = loadConfig({ ...base, ...idp, AUTH_METHODS: 'oidc', KRB_SERVICE_PRINCIPAL: 'svc-portcullis', KRB_SERVICE_PASSWORD: 's3cret pass' });
    expect(withPassword.kerberos.service).toEqual({ principal: 'svc-portcullis', keytab: undefined, password: 's3cret pass' });
    // Never echoed back.
    expect(() => loadConfig({ ...base, KRB_SERVICE_PASSWORD: 'bad\u0001' })).toThrow(/^KRB_SERVICE_PASSWORD: expected [^"]*$/);
  });
});
