import { ConfidentialityRequiredError, InvalidCredentialsError as LdapInvalidCredentials, UnavailableError as LdapUnavailable } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { groupName, inAllowedGroups, LdapDirectory } from '../../../src/auth/directory.js';
import { DirectoryConfigError, InvalidCredentialsError } from '../../../src/auth/errors.js';
import { DEFAULT_USER_FILTER } from '../../../src/config/index.js';
import { isConnectionFailure, LdapDeadlineError, startTlsIdentity, transportName } from '../../../src/auth/ldap-connection.js';

const STAFF = 'CN=staff,CN=Users,DC=example,DC=test';
const ODD = 'CN=Smith\\, John (Admins),OU=Groups,DC=example,DC=test';

describe('groupName', () => {
  it('takes the unescaped value of the first RDN', () => {
    expect(groupName(STAFF)).toBe('staff');
    expect(groupName(ODD)).toBe('Smith, John (Admins)');
    expect(groupName('CN=Gr\\c3\\bcn,DC=x')).toBe('Grün');
    expect(groupName('CN=a\\5c\\2cb,DC=x')).toBe('a\\,b');
  });
});

describe('inAllowedGroups', () => {
  it('lets everyone in when no group is configured', () => {
    expect(inAllowedGroups([], [])).toBe(true);
  });

  it('matches group names and DNs case-insensitively', () => {
    expect(inAllowedGroups([STAFF], ['Staff'])).toBe(true);
    expect(inAllowedGroups([STAFF], ['cn=STAFF, cn=users, dc=example, dc=test'])).toBe(true);
    expect(inAllowedGroups([ODD], ['smith, john (admins)'])).toBe(true);
    expect(inAllowedGroups([STAFF], ['students', 'CN=staff,CN=Users,DC=other,DC=test'])).toBe(false);
    expect(inAllowedGroups([], ['staff'])).toBe(false);
  });

  it('does not match a name against another part of the DN', () => {
    expect(inAllowedGroups([STAFF], ['Users'])).toBe(false);
  });
});

describe('isConnectionFailure', () => {
  const errno = (code: string): Error => Object.assign(new Error(code), { code });

  it.each([
    ['refused', errno('ECONNREFUSED')],
    ['reset', errno('ECONNRESET')],
    ['TLS trust', errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE')],
    ['ldapts connect timeout', new Error('Connection timeout')],
    ['ldapts operation timeout', new Error('BindRequest: Operation timed out')],
    ['closed mid-request', new Error('Connection closed before message response was received. Message type: BindRequest (0x60)')],
    ['our deadline', new LdapDeadlineError(100)],
    ['DC unavailable', new LdapUnavailable()],
  ])('%s: try the next DC', (_what, err) => {
    expect(isConnectionFailure(err)).toBe(true);
  });

  it.each([
    ['wrong password', new LdapInvalidCredentials('80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839')],
    ['strong auth required', new ConfidentialityRequiredError()],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s: stop here', (_what, err) => {
    expect(isConnectionFailure(err)).toBe(false);
  });
});

describe('LDAP URLs', () => {
  it('gives TLS the host to check, and SNI only for names', () => {
    expect(startTlsIdentity('ldap://127.0.0.2:389')).toEqual({ host: '127.0.0.2' });
    expect(startTlsIdentity('ldap://[::1]:389')).toEqual({ host: '::1' });
    expect(startTlsIdentity('ldap://dc1.example.test')).toEqual({ host: 'dc1.example.test', servername: 'dc1.example.test' });
  });

  it('names the transport', () => {
    expect(transportName('ldaps://dc1:636', false)).toBe('LDAPS');
    expect(transportName('ldap://dc1', true)).toBe('LDAP + StartTLS');
    expect(transportName('ldap://dc1', false)).toBe('plain LDAP');
  });
});

describe('LdapDirectory before any connection', () => {
  // Port 1 refuses: reaching the network would show up as DirectoryUnavailableError instead.
  const settings = {
    urls: ['ldap://127.0.0.1:1'],
    caFile: undefined,
    startTls: false,
    bindDn: 'CN=svc,DC=example,DC=test',
    bindPassword: 'secret',
    baseDn: 'DC=example,DC=test',
    userFilter: DEFAULT_USER_FILTER,
    timeoutMs: 1000,
    domain: 'EXAMPLE',
    allowedGroups: [],
    nestedGroups: true,
  };

  it('refuses empty passwords and unusable names without connecting', async () => {
    const directory = new LdapDirectory(settings);
    await expect(directory.authenticate('alice', '')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(directory.authenticate('OTHER\\alice', 'pw')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(directory.authenticate('ali\0ce', 'pw')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('says what is missing from the configuration', async () => {
    await expect(new LdapDirectory({ ...settings, domain: undefined }).authenticate('alice', 'pw')).rejects.toThrow(/AD_DOMAIN/);
    await expect(new LdapDirectory({ ...settings, bindDn: undefined }).authenticate('alice', 'pw')).rejects.toBeInstanceOf(DirectoryConfigError);
  });
});
