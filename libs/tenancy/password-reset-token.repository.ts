import { Injectable } from '@nestjs/common';
import { TenantDb } from '../db';
import type { PasswordResetTokenEntity } from './password-reset-token.entity';

/** Read model of a link being spent: its row, and whether it has expired (by the database clock). */
export type PasswordResetTokenState = Pick<PasswordResetTokenEntity, 'id' | 'userId' | 'usedAt' | 'supersededAt'> & { expired: boolean };

/** Read model of a link about to be mailed: its hash and the account it goes to. */
export interface PasswordResetMailRecord {
  readonly tokenHash: string;
  readonly email: string;
  readonly name: string;
  readonly expiresAt: Date;
}

/** Password reset links (password_reset_token). Not tenant-owned: no row-level security. */
@Injectable()
export class PasswordResetTokenRepository {
  constructor(private readonly db: TenantDb) {}

  /** A new live link for the account; its previous live link (if any) is superseded first. Returns the new id. */
  async replacePending(userId: string, tokenHash: string, ttlMinutes: number): Promise<string> {
    await this.db.em.query(
      'UPDATE password_reset_token SET superseded_at = now() WHERE user_id = $1 AND used_at IS NULL AND superseded_at IS NULL',
      [userId],
    );
    const [row] = await this.db.em.query<{ id: string }[]>(
      `INSERT INTO password_reset_token (user_id, token_hash, expires_at)
       VALUES ($1, $2, now() + make_interval(mins => $3)) RETURNING id`,
      [userId, tokenHash, ttlMinutes],
    );
    if (!row) throw new Error('password_reset_token insert returned no row');
    return row.id;
  }

  /** Locked (FOR UPDATE) until the unit of work ends, so one link is spent once. */
  async lockByHash(tokenHash: string): Promise<PasswordResetTokenState | null> {
    const [row] = await this.db.em.query<PasswordResetTokenState[]>(
      `SELECT id, user_id AS "userId", used_at AS "usedAt", superseded_at AS "supersededAt", expires_at <= now() AS expired
         FROM password_reset_token WHERE token_hash = $1 FOR UPDATE`,
      [tokenHash],
    );
    return row ?? null;
  }

  async markUsed(id: string): Promise<void> {
    await this.db.em.query('UPDATE password_reset_token SET used_at = now() WHERE id = $1', [id]);
  }

  /** The link as the mail worker must see it: still live (unused, not replaced, unexpired), else null. */
  async findLiveForMail(id: string): Promise<PasswordResetMailRecord | null> {
    const [row] = await this.db.em.query<PasswordResetMailRecord[]>(
      `SELECT t.token_hash AS "tokenHash", u.email, u.name, t.expires_at AS "expiresAt"
         FROM password_reset_token t JOIN app_user u ON u.id = t.user_id
        WHERE t.id = $1 AND t.used_at IS NULL AND t.superseded_at IS NULL AND t.expires_at > now()`,
      [id],
    );
    return row ?? null;
  }

  /** Deletes links expired more than a day ago (a spent one still answers 410 until then). */
  async pruneExpired(): Promise<number> {
    const result = await this.db.em.query<[unknown[], number]>(
      "DELETE FROM password_reset_token WHERE expires_at < now() - interval '1 day'",
    );
    return result[1];
  }
}
