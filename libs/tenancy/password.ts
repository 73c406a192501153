import argon2 from 'argon2';
import commonPasswords from 'fxa-common-password-list';
import { WeakPasswordError } from './tenancy.errors';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2 = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Refuses passwords found in leaks or made of the account's own email or name. */
export function assertPasswordAcceptable(password: string, account: { email: string; name?: string }): void {
  if (password.length < PASSWORD_MIN) throw new WeakPasswordError(`use at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw new WeakPasswordError(`use at most ${PASSWORD_MAX} characters`);
  const lower = password.toLowerCase();
  if (commonPasswords.test(password) || commonPasswords.test(lower)) throw new WeakPasswordError('this one appears in lists of leaked passwords');
  if (new Set(password).size < 4) throw new WeakPasswordError('it repeats too few different characters');
  const local = account.email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) throw new WeakPasswordError('it contains your email address');
  if (account.name && account.name.length >= 4 && lower.includes(account.name.toLowerCase())) throw new WeakPasswordError('it contains your name');
}

// Verified against when the email is unknown, so both failures take about the same time.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('dutybook-timing-equaliser-not-a-password');
  return dummyHash;
}
