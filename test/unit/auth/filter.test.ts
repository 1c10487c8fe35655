import { AndFilter, EqualityFilter, FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { escapeFilterValue, nestedGroupsFilter, userSearchFilter } from '../../../src/auth/filter.js';
import { DEFAULT_USER_FILTER } from '../../../src/config/index.js';

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    // The examples of RFC 4515 section 4.
    ['Parens R Us (for all your parenthetical needs)', 'Parens R Us \\28for all your parenthetical needs\\29'],
    ['*', '\\2a'],
    ['C:\\MyFile', 'C:\\5cMyFile'],
    ['\0\0\0\u0004', '\\00\\00\\00\u0004'],
    ['Lu\u010di\u0107', 'Lu\u010di\u0107'],
  ])('%j → %j', (input, expected) => {
    expect(escapeFilterValue(input)).toBe(expected);
  });

  it('leaves non-ASCII names as UTF-8 text', () => {
    expect(escapeFilterValue('jürgen')).toBe('jürgen');
    expect(escapeFilterValue('Zoë Ångström-Núñez')).toBe('Zoë Ångström-Núñez');
  });

  it.each([
    '*)(objectClass=*',
    'admin)(|(sAMAccountName=*',
    '*)(&',
    '\\2a',
    'a\\',
    ')(',
    'x\0y',
    '(((((',
  ])('keeps hostile input %j inside one equality match', (hostile) => {
    const parsed = FilterParser.parseString(userSearchFilter(DEFAULT_USER_FILTER, hostile));
    expect(parsed).toBeInstanceOf(AndFilter);
    const clauses = (parsed as AndFilter).filters;
    expect(clauses).toHaveLength(3);
    const last = clauses[2];
    expect(last).toBeInstanceOf(EqualityFilter);
    expect((last as EqualityFilter).attribute).toBe('sAMAccountName');
    expect((last as EqualityFilter).value).toBe(hostile);
  });

  it('replaces every {username}', () => {
    expect(userSearchFilter('(|(sAMAccountName={username})(uid={username}))', 'a*')).toBe('(|(sAMAccountName=a\\2a)(uid=a\\2a))');
  });

  it('does not treat $ patterns in the name as replacement syntax', () => {
    expect(userSearchFilter('(cn={username})', "$&$'$`")).toBe("(cn=$&$'$`)");
  });

  it('builds the in-chain group filter with an escaped DN', () => {
    expect(nestedGroupsFilter('CN=Smith\\, John (Admin),OU=Staff,DC=example,DC=test')).toBe(
      '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=Smith\\5c, John \\28Admin\\29,OU=Staff,DC=example,DC=test))',
    );
    expect(() => FilterParser.parseString(nestedGroupsFilter('CN=Jürgen Groß,CN=Users,DC=example,DC=test'))).not.toThrow();
  });
});
