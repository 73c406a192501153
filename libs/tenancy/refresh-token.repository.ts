import { Injectable } from '@nestjs/common';
import { TenantDb } from '../db';
import type { RefreshTokenEntity } from './refresh-token.entity';

/** Read model of a token being spent: its row and whether it has expired (by the database clock). */
export type RefreshTokenState = Pick<RefreshTokenEntity, 'id' | 'userId' | 'familyId' | 'tokenHash' | 'usedAt' | 'revokedAt'> & {
  expired: boolean;
};

/** Refresh tokens. Not tenant-owned: no row-level security. */
@Injectable()
export class RefreshTokenRepository {
  constructor(private readonly db: TenantDb) {}

  async insert(token: { id: string; userId: string; familyId: string; tokenHash: string; ttlDays: number }): Promise<void> {
    await this.db.em.query(
      `INSERT INTO refresh_token (id, user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
      [token.id, token.userId, token.familyId, token.tokenHash, token.ttlDays],
    );
  }

  /** Locked (FOR UPDATE) until the unit of work ends, so one token is spent once. */
  async lock(id: string): Promise<RefreshTokenState | null> {
    const [row] = await this.db.em.query<RefreshTokenState[]>(
      `SELECT id, user_id AS "userId", family_id AS "familyId", token_hash AS "tokenHash", expires_at <= now() AS expired,
              used_at AS "usedAt", revoked_at AS "revokedAt"
         FROM refresh_token WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ?? null;
  }

  async markUsed(id: string): Promise<void> {
    await this.db.em.query('UPDATE refresh_token SET used_at = now() WHERE id = $1', [id]);
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db.em.query('UPDATE refresh_token SET revoked_at = coalesce(revoked_at, now()) WHERE family_id = $1', [familyId]);
  }

  /**
   * Ends every session of the account (each family with a live token), except the family
   * `keepFamilyId` when given (the session that asked). Returns how many tokens were revoked.
   */
  async revokeAllOfUser(userId: string, keepFamilyId: string | null): Promise<number> {
    const result = await this.db.em.query<[unknown[], number]>(
      `UPDATE refresh_token SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)`,
      [userId, keepFamilyId],
    );
    return result[1];
  }

  /** Revokes the family of the token with this id and hash; nothing when there is none. */
  async revokeFamilyOf(id: string, tokenHash: string): Promise<void> {
    await this.db.em.query(
      `UPDATE refresh_token SET revoked_at = coalesce(revoked_at, now())
        WHERE family_id = (SELECT family_id FROM refresh_token WHERE id = $1 AND token_hash = $2)`,
      [id, tokenHash],
    );
  }

  /** Deletes tokens expired more than a day ago (spent ones still prove reuse until then). */
  async pruneExpired(): Promise<number> {
    const result = await this.db.em.query<[unknown[], number]>("DELETE FROM refresh_token WHERE expires_at < now() - interval '1 day'");
    return result[1];
  }
}
