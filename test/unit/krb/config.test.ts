import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';

describe('SMB_AUTH, KRB_REALM, KRB_KDCS', () => {
  it('default to auto, the base DN as realm and the LDAP hosts as KDCs; take overrides; refuse bad values by name', () => {
    const base = { LDAP_URLS: 'ldaps://dc1.example.test:636,ldap://[::1]', LDAP_BASE_DN: 'DC=example,DC=test' };
    const c = loadConfig(base);
    expect(c.smb.auth).toBe('auto');
    expect(c.kerberos).toEqual({ realm: 'EXAMPLE.TEST', kdcs: [{ host: 'dc1.example.test', port: 88 }, { host: '::1', port: 88 }] });
    const o = loadConfig({ ...base, SMB_AUTH: 'kerberos', KRB_REALM: 'corp.example', KRB_KDCS: 'kdc1,kdc2:8888' });
    expect(o.smb.auth).toBe('kerberos');
    expect(o.kerberos).toEqual({ realm: 'CORP.EXAMPLE', kdcs: [{ host: 'kdc1', port: 88 }, { host: 'kdc2', port: 8888 }] });
    expect(loadConfig({}).kerberos).toEqual({ realm: undefined, kdcs: [] });
    expect(() => loadConfig({ SMB_AUTH: 'ntlmv1' })).toThrow(/^SMB_AUTH: expected kerberos, ntlm or auto/);
  });
});
