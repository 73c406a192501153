import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { AppConfig } from '../core';
import { jwtSecret } from './jwt-secret';

/**
 * Seals the secret of a mailed link while it waits in the job queue: pgboss.job (and its backups)
 * must not hold a usable link, as the database holds only the secret's sha256. AES-256-GCM with a
 * key derived by HKDF from the JWT secret api and worker already share, one key per purpose, and
 * the row id as associated data (a sealed secret does not open for another row).
 */
export class LinkSeal {
  private readonly key: Buffer;

  constructor(config: AppConfig, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', jwtSecret(config), 'dutybook', purpose, 32));
  }

  /** base64url(iv | tag | ciphertext). */
  seal(rowId: string, secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(rowId));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** The secret, or null when it was sealed under another key or for another row. */
  unseal(rowId: string, sealed: string): string | null {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length <= 28) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12)).setAAD(Buffer.from(rowId));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
