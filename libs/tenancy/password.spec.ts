import { hashPassword, verifyPassword } from './password';

// Made by the `argon2` npm package (0.45.1, compiled from source) that hashed every password
// before the move to @node-rs/argon2, with the same parameters: stored hashes must keep verifying.
const LEGACY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$UZnQtXNHaigqhJBrOwXA+w$WWb7vTDlda7RUfVRrK+fQ0murup4H6Vsqwv0vTVTCNg';

describe('password hashing', () => {
  it('verifies a hash made by the previous argon2 binding', async () => {
    await expect(verifyPassword(LEGACY_HASH, 'correct-horse-battery-staple-9')).resolves.toBe(true);
    await expect(verifyPassword(LEGACY_HASH, 'correct-horse-battery-staple-8')).resolves.toBe(false);
  });

  it('writes argon2id PHC strings with the OWASP parameters', async () => {
    const hash = await hashPassword('plum-orchard-lantern-42');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword(hash, 'plum-orchard-lantern-42')).resolves.toBe(true);
  });

  it('answers false, not an error, for a malformed hash', async () => {
    await expect(verifyPassword('not-a-hash', 'anything')).resolves.toBe(false);
  });
});
