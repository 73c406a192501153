import { UnsubscribeTokens } from './unsubscribe-token';

const SECRET = 'a-jwt-secret-of-at-least-32-characters!';
const USER = '3505da75-36e1-45f9-9686-3b45d8f56133';
const OTHER = '9e1f4c2a-0000-4000-8000-000000000001';

describe('UnsubscribeTokens', () => {
  const tokens = new UnsubscribeTokens(SECRET);

  it('round-trips the user and kind, in a URL-safe token', () => {
    const token = tokens.sign(USER, 'overdue');
    expect(token).toMatch(/^[0-9a-f-]{36}\.overdue\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(tokens.verify(token)).toEqual({ userId: USER, kind: 'overdue' });
  });

  it('is deterministic: the link in every mail of a kind is the same', () => {
    expect(tokens.sign(USER, 'digest')).toBe(tokens.sign(USER, 'digest'));
    expect(tokens.sign(USER, 'digest')).not.toBe(tokens.sign(USER, 'due_soon'));
  });

  it('refuses anything changed: user, kind, signature, key', () => {
    const [, , mac] = tokens.sign(USER, 'due_soon').split('.') as [string, string, string];
    const flipped = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    for (const forged of [
      `${OTHER}.due_soon.${mac}`,
      `${USER}.overdue.${mac}`,
      `${USER}.due_soon.${flipped}`,
      new UnsubscribeTokens(`${SECRET}x`).sign(USER, 'due_soon'),
      `${USER}.admin.${mac}`,
      `${USER.toUpperCase()}.due_soon.${mac}`,
      `${USER}.due_soon.${mac}=`,
      `${USER}.due_soon`,
      '',
    ]) {
      expect(tokens.verify(forged)).toBeNull();
    }
  });

  it('is not an HMAC under the JWT secret itself (a derived key, its own label)', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const naive = createHmac('sha256', SECRET).update(`${USER}.due_soon`).digest('base64url');
    expect(tokens.sign(USER, 'due_soon').endsWith(naive)).toBe(false);
  });
});
