import { describe, expect, it } from 'vitest';
import { InvalidCredentialsError } from '../../../src/auth/errors.js';
import { dnsDomainOf, parseUsername, throttleKey } from '../../../src/auth/username.js';

describe('parseUsername', () => {
  it.each([
    ['alice', { name: 'alice', form: 'name' }],
    ['  alice\t', { name: 'alice', form: 'name' }],
    ['EXAMPLE\\alice', { name: 'alice', form: 'down-level' }],
    ['example\\Alice', { name: 'Alice', form: 'down-level' }],
    ['alice@example.test', { name: 'alice', form: 'upn', realm: 'example.test' }],
    ['alice@EXAMPLE.TEST', { name: 'alice', form: 'upn', realm: 'EXAMPLE.TEST' }],
    ['jürgen', { name: 'jürgen', form: 'name' }],
    ['EXAMPLE\\jürgen', { name: 'jürgen', form: 'down-level' }],
  ])('%j', (input, expected) => {
    expect(parseUsername(input, 'EXAMPLE')).toEqual(expected);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['another domain', 'OTHER\\alice'],
    ['a domain prefix only', 'EXAMPLE\\'],
    ['two backslashes', 'EXAMPLE\\a\\b'],
    ['no name before @', '@example.test'],
    ['no realm after @', 'alice@'],
    ['NUL', 'ali\0ce'],
    ['newline', 'alice\nbob'],
    ['escape', 'alice\u001b[31m'],
    ['DEL', 'alice\u007f'],
    ['C1 control', 'alice\u0085'],
    ['too long', 'a'.repeat(300)],
  ])('refuses %s with the wrong-credentials error', (_what, input) => {
    expect(() => parseUsername(input, 'EXAMPLE')).toThrow(InvalidCredentialsError);
  });

  it('refuses any DOMAIN\\ prefix when no domain is configured', () => {
    expect(() => parseUsername('EXAMPLE\\alice', undefined)).toThrow(InvalidCredentialsError);
    expect(parseUsername('alice', undefined)).toEqual({ name: 'alice', form: 'name' });
  });
});

describe('throttleKey', () => {
  it('is the same for every way of typing one account', () => {
    const keys = ['alice', 'ALICE', ' Alice ', 'EXAMPLE\\alice', 'example\\ALICE', 'alice@example.test'].map((u) => throttleKey(u, 'EXAMPLE'));
    expect(new Set(keys)).toEqual(new Set(['alice']));
  });

  it('still gives a key for input that does not parse', () => {
    expect(throttleKey('OTHER\\Alice', 'EXAMPLE')).toBe('other\\alice');
  });
});

describe('dnsDomainOf', () => {
  it('takes the DC components of the base DN', () => {
    expect(dnsDomainOf('DC=example,DC=test')).toBe('example.test');
    expect(dnsDomainOf('OU=People, DC=Uni,DC=Example,DC=edu')).toBe('uni.example.edu');
  });
});
