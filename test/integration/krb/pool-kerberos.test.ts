// The app's SMB pool with SMB_AUTH: Kerberos to the DC for a session holding a TGT, cifs/<UNC host> though SMB_HOST_MAP points at an IP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { drivesFor } from '../../../src/drives/index.js';
import { AuthMethodRefusedError } from '../../../src/errors/index.js';
import { KerberosClient, TicketCache } from '../../../src/krb/index.js';
import { SmbPool, type PoolCredential } from '../../../src/sessions/index.js';
import { ntowfv2 } from '../../../src/smb/index.js';
import { SmbKerberosCredentialMissingError } from '../../../src/smb/errors.js';
import { appEnvFor } from '../../fixtures/app-env.js';
import { homeDirectoryOf } from '../../fixtures/domain-data.js';
import { requireDomain } from '../../fixtures/require-domain.js';

describe('SmbPool with SMB_AUTH', () => {
  const domain = requireDomain();
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-krb-pool-'));
  const pools: SmbPool[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = { ...appEnvFor(domain), DATA_DIR: dataDir };
  const home = (config: ReturnType<typeof loadConfig>) =>
    drivesFor({ username: 'alice', homeDirectory: homeDirectoryOf('alice'), groups: [] }, config).find((d) => d.id === 'home')!;

  it('realm and KDCs come from the directory settings without new ones', () => {
    const config = loadConfig(env);
    expect(config.smb.auth).toBe('auto');
    expect(config.kerberos.realm).toBe(domain.realm);
    expect(config.kerberos.kdcs).toEqual([{ host: domain.ip, port: 88 }]);
  });

  it('SMB_AUTH=kerberos: the home drive through the host map, with a ticket for cifs/<UNC host>', async () => {
    const config = loadConfig({ ...env, SMB_AUTH: 'kerberos' });
    const krb = new KerberosClient({ realm: config.kerberos.realm!, kdcs: config.kerberos.kdcs });
    const provider = new TicketCache(krb).provider('alice', () => krb.getTgt('alice', domain.password));
    const asked: string[] = [];
    const credential: PoolCredential = {
      username: 'alice',
      domain: domain.netbiosDomain,
      ntowfv2: ntowfv2(domain.password, 'alice', domain.netbiosDomain),
      kerberos: (spn) => {
        asked.push(spn);
        return provider(spn);
      },
    };
    const pool = new SmbPool(config);
    pools.push(pool);
    const drive = home(config);
    expect(drive.host).toBe(domain.ip);
    const entries = await pool.use('s1', credential, drive, (share, base) => share.readdir(base.join('\\')));
    expect(entries.length).toBeGreaterThan(0);
    expect(asked).toEqual([`cifs/${domain.fileServerName}`]);

    // Without a TGT in the session, kerberos is refused rather than silently using NTLM: the app's typed refusal
    // (502 "the file server refused this sign-in method"), whose cause says why.
    // (A fresh pool: the first one would share alice's open connection with any session of the same key.)
    const ntlmOnly: PoolCredential = { username: 'alice', domain: domain.netbiosDomain, ntowfv2: credential.ntowfv2 };
    const fresh = new SmbPool(config);
    pools.push(fresh);
    const refused = await fresh.use('s2', ntlmOnly, drive, (share, base) => share.readdir(base.join('\\'))).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(AuthMethodRefusedError);
    expect((refused as AuthMethodRefusedError).cause).toBeInstanceOf(SmbKerberosCredentialMissingError);
  });
});
