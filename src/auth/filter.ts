/**
 * RFC 4515 section 3: inside a filter value, `*`, `(`, `)`, `\` and NUL must be written as `\XX`.
 * Everything else, non-ASCII included, may stay as UTF-8 text, which keeps names like "jürgen"
 * readable in logs and matches what the DC stores.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The configured user filter with every `{username}` replaced by the escaped name. */
export function userSearchFilter(template: string, username: string): string {
  const escaped = escapeFilterValue(username);
  return template.replaceAll('{username}', () => escaped);
}

/** LDAP_MATCHING_RULE_IN_CHAIN: every group the DN belongs to, directly or through other groups. */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';

export function nestedGroupsFilter(userDn: string): string {
  return `(&(objectClass=group)(member:${IN_CHAIN_RULE}:=${escapeFilterValue(userDn)}))`;
}
