import { hash, verify } from '@node-rs/argon2';
import commonPasswords from 'fxa-common-password-list';
import { WeakPasswordError } from './tenancy.errors';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. @node-rs/argon2 ships a prebuilt binary
// (no compiler at install) and reads and writes the same PHC `$argon2id$` strings as the `argon2`
// package used before, so stored hashes keep verifying (password.spec.ts holds one it made).
const ARGON2 = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under isolatedModules */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Refuses passwords found in leaks or made of the account's own email or name. */
export function assertPasswordAcceptable(password: string, account: { email: string; name?: string }): void {
  if (password.length < PASSWORD_MIN) throw new WeakPasswordError(`use at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new WeakPasswordError(`use at most ${PASSWORD_MAX} characters`);
  const lower = password.toLowerCase();
  if (commonPasswords.test(password) || commonPasswords.test(lower))
    throw new WeakPasswordError('this one appears in lists of leaked passwords');
  if (new Set(password).size < 4) throw new WeakPasswordError('it repeats too few different characters');
  const local = account.email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) throw new WeakPasswordError('it contains your email address');
  if (account.name && account.name.length >= 4 && lower.includes(account.name.toLowerCase()))
    throw new WeakPasswordError('it contains your name');
}

// Verified against when the email is unknown, so both failures take about the same time.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('dutybook-timing-equaliser-not-a-password');
  return dummyHash;
}
