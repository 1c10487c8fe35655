export { KerberosClient, type KerberosClientOptions, type Credentials, servicePrincipal } from './client.js';
export { KerberosInitiator, KRB5_OID } from './gss.js';
export { TicketCache } from './tickets.js';
export { type KdcAddress, parseKdcAddress } from './transport.js';
export * from './errors.js';
export { encodeCredentials, decodeCredentials } from './serialize.js';
