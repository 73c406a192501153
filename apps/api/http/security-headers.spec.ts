import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  const directives = { defaultSrc: ["'self'"], scriptSrc: ["'self'"], frameAncestors: ["'none'"] };

  it("gives helmet's headers for the configuration, once", () => {
    const headers = securityHeaders({ contentSecurityPolicy: { directives }, hsts: false });
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('adds HSTS only when asked', () => {
    const headers = securityHeaders({ contentSecurityPolicy: { directives }, hsts: { maxAge: 31_536_000, includeSubDomains: true } });
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('refuses a directive that depends on the request (a nonce function): it cannot be computed once', () => {
    expect(() =>
      securityHeaders({ contentSecurityPolicy: { directives: { ...directives, scriptSrc: ["'self'", () => "'nonce-x'"] } } }),
    ).toThrow(/scriptSrc depends on the request/);
  });
});
