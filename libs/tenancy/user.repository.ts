import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TenantDb } from '../db';
import { UserEntity } from './user.entity';

/** What of an account may be shown (never the password hash). */
export type UserRecord = Pick<UserEntity, 'id' | 'email' | 'name' | 'createdAt'>;
/** Read model of a login: the account and its password hash. */
export type UserCredentials = UserRecord & Pick<UserEntity, 'passwordHash'>;

const RECORD = 'id, email, name, created_at AS "createdAt"';

/**
 * Accounts (app_user). Not tenant-owned: no row-level security, reachable inside or outside a
 * unit of work (inside, it joins the transaction).
 */
@Injectable()
export class UserRepository {
  constructor(private readonly db: TenantDb) {}

  async findByEmail(email: string): Promise<UserCredentials | null> {
    const [row] = await this.db.em.query<UserCredentials[]>(
      `SELECT ${RECORD}, password_hash AS "passwordHash" FROM app_user WHERE email = $1`,
      [email],
    );
    return row ?? null;
  }

  async findCredentialsById(id: string): Promise<UserCredentials | null> {
    const [row] = await this.db.em.query<UserCredentials[]>(
      `SELECT ${RECORD}, password_hash AS "passwordHash" FROM app_user WHERE id = $1`,
      [id],
    );
    return row ?? null;
  }

  async updateName(id: string, name: string): Promise<void> {
    await this.db.em.query('UPDATE app_user SET name = $2, updated_at = now() WHERE id = $1', [id, name]);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.em.query('UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
  }

  async findById(id: string): Promise<UserRecord | null> {
    return this.db.em.getRepository(UserEntity).findOne({ where: { id }, select: { id: true, email: true, name: true, createdAt: true } });
  }

  async exists(id: string): Promise<boolean> {
    return this.db.em.getRepository(UserEntity).exists({ where: { id } });
  }

  async emailTaken(email: string): Promise<boolean> {
    return this.db.em.getRepository(UserEntity).exists({ where: { email } });
  }

  /** The new account, or null when the address is taken (a concurrent sign-up won). */
  async insert(user: { email: string; name: string; passwordHash: string }): Promise<UserRecord | null> {
    const [row] = await this.db.em.query<UserRecord[]>(
      `INSERT INTO app_user (email, name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING ${RECORD}`,
      [user.email, user.name, user.passwordHash],
    );
    return row ?? null;
  }

  /** Names and addresses of these accounts (for views and mails of other libs); unknown ids are left out. */
  async byIds(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.em
      .getRepository(UserEntity)
      .find({ where: { id: In([...new Set(ids)]) }, select: { id: true, email: true, name: true, createdAt: true } });
    return new Map(rows.map((r) => [r.id, r]));
  }
}
