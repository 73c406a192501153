import { ConfigError, loadConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      logLevel: 'info',
      publicUrl: 'http://localhost:3000',
      seedOnStart: true,
      migrateOnStart: true,
      evidencePackTtlHours: 72,
    });
    expect(config.dataDir).toBe(`${process.cwd()}/.data`);
  });

  it('converts and keeps valid values', () => {
    const config = loadConfig({
      PORT: '8080',
      DATA_DIR: '/var/lib/dutybook',
      DATABASE_URL: 'postgres://app:pw@db:5432/dutybook',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://duty.example.com/',
      SEED_ON_START: 'false',
    });
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/var/lib/dutybook');
    expect(config.databaseUrl).toBe('postgres://app:pw@db:5432/dutybook');
    expect(config.logLevel).toBe('debug');
    expect(config.publicUrl).toBe('https://duty.example.com');
    expect(config.seedOnStart).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3.5'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['PUBLIC_URL', 'ftp://x'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_POOL_SIZE', '0'],
    ['SEED_ON_START', 'yes'],
    ['EMBEDDED_PG_PORT', '80'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });

  it('lists every bad variable at once and says what is expected', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(problems).toEqual([
      'PORT must be a whole number between 0 and 65535 (got "abc")',
      expect.stringMatching(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/),
    ]);
  });

  it('never prints a database URL, which holds a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://user:s3cret@host/db' });
    expect(problems[0]).toContain('(hidden)');
    expect(problems.join()).not.toContain('s3cret');
  });

  it('ignores variables it does not know', () => {
    expect(() => loadConfig({ SOMETHING_ELSE: 'x' })).not.toThrow();
  });

  it('TRUSTED_PROXIES: unset trusts no proxy; IPs, CIDR ranges and the proxy-addr keywords are kept; anything else names the variable', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16,loopback, fd00::/8' }).trustedProxies).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      'loopback',
      'fd00::/8',
    ]);
    for (const bad of ['300.1.1.1', '10.0.0.0/33', 'proxy.example.com', '*', '10.0.0.1;rm']) {
      expect(problemsOf({ TRUSTED_PROXIES: bad }).join(' ')).toContain('TRUSTED_PROXIES');
    }
  });
});
