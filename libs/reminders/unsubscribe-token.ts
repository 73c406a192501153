import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isNotificationKind, type NotificationKind } from './reminder.types';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TOKEN = new RegExp(`^(${UUID})\\.([a-z_]{1,32})\\.([A-Za-z0-9_-]{43})$`);

/**
 * Signed one-click unsubscribe tokens: `<userId>.<kind>.<HMAC-SHA256 base64url>`. The key is
 * derived from the JWT secret with HKDF under its own label, so a token can never pass for an
 * access token or the other way round. Tokens do not expire: the link in an old mail must keep
 * working (RFC 8058), and replaying one only turns off again what is already off.
 */
export class UnsubscribeTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'dutybook', 'unsubscribe-token v1', 32));
  }

  sign(userId: string, kind: NotificationKind): string {
    return `${userId}.${kind}.${this.mac(userId, kind).toString('base64url')}`;
  }

  /** The user and kind the token was made for, or null when it is not one of ours. */
  verify(token: string): { userId: string; kind: NotificationKind } | null {
    const m = TOKEN.exec(token);
    if (!m?.[1] || !m[2] || !m[3]) return null;
    const [, userId, kind, mac] = m;
    if (!isNotificationKind(kind)) return null;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(userId, kind);
    // base64url decoding is lenient about the last character's spare bits: compare re-encoded.
    if (given.toString('base64url') !== mac || given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { userId, kind };
  }

  private mac(userId: string, kind: string): Buffer {
    return createHmac('sha256', this.key).update(`${userId}.${kind}`).digest();
  }
}
