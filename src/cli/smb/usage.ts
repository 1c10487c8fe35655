/** A mistake on the command line: exit 1 with the message and a pointer to the usage text. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage:
  portcullis smb ls    //HOST[:PORT]/SHARE[/PATH] [--json]
  portcullis smb stat  //HOST[:PORT]/SHARE/PATH [--json]
  portcullis smb get   //HOST[:PORT]/SHARE/PATH [LOCALFILE|-]
  portcullis smb put   LOCALFILE|- //HOST[:PORT]/SHARE/PATH
  portcullis smb rm [-r] //HOST[:PORT]/SHARE/PATH
  portcullis smb mkdir [-p] //HOST[:PORT]/SHARE/PATH
  portcullis smb mv    //HOST[:PORT]/SHARE/FROM  //HOST[:PORT]/SHARE/TO|TO
  portcullis smb shares //HOST[:PORT] [--all] [--json]

PATH is literal (no percent-decoding, no globbing); "/" and "\\" both separate segments.
A TO without //HOST is on the same share: from the share root if it starts with "/" or "\\",
otherwise relative to FROM's folder. An existing folder as TO (or as put's target) receives the item.

Options:
  --user 'DOMAIN\\name' | name@realm   who to sign in as (NTLM domain: before "\\", or the realm after "@")
  --encrypt                           encrypt all traffic (SMB 3.x)
  --kerberos                          sign in with Kerberos only: a TGT from the password, then a ticket
                                      for cifs/SERVER (no NTLM fallback)
  --realm REALM                       Kerberos realm (default: the realm in --user name@realm, else KRB_REALM)
  --kdc HOST[:PORT]                   a KDC, tried in order (repeatable; default: KRB_KDCS, else the
                                      hosts in LDAP_URLS, else HOST)
  --server-name FQDN                  the server's name for its ticket when HOST is an address
  --timeout SECONDS                   per-request timeout (default 30)
  -v, --verbose                       print the negotiated dialect, signing algorithm and cipher to stderr
  --json                              machine-readable output (ls, stat, shares)
  --all                               shares: include hidden shares (names ending in "$", IPC$ too)

The password comes from the PORTCULLIS_PASSWORD environment variable, or is asked for on the
terminal without echo. It is never taken from the command line.

Exit codes: 0 ok, 2 not found, 3 access denied, 4 logon failure, 5 cannot connect, 1 anything else.
`;
