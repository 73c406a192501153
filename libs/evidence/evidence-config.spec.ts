import { ConfigError, loadConfig } from '../core';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const S3 = { EVIDENCE_STORAGE: 's3', S3_BUCKET: 'dutybook-evidence', S3_ACCESS_KEY_ID: 'key-id', S3_SECRET_ACCESS_KEY: 'secret-key' };

describe('evidence configuration', () => {
  it('defaults to 100 MiB files under DATA_DIR/evidence', () => {
    const config = loadConfig({ DATA_DIR: '/var/lib/dutybook' });
    expect(config.evidence).toEqual({ maxBytes: 104857600, storage: { kind: 'fs', dir: '/var/lib/dutybook/evidence' } });
  });

  it('reads an S3-compatible store', () => {
    const config = loadConfig({
      ...S3,
      S3_ENDPOINT: 'http://minio:9000',
      S3_REGION: 'eu-west-par',
      S3_FORCE_PATH_STYLE: 'true',
      EVIDENCE_MAX_BYTES: ' 5242880 ',
    });
    expect(config.evidence).toEqual({
      maxBytes: 5242880,
      storage: {
        kind: 's3',
        endpoint: 'http://minio:9000',
        bucket: 'dutybook-evidence',
        region: 'eu-west-par',
        accessKeyId: 'key-id',
        secretAccessKey: 'secret-key',
        forcePathStyle: true,
      },
    });
    expect(loadConfig(S3).evidence.storage).toEqual(
      expect.objectContaining({ endpoint: undefined, region: 'us-east-1', forcePathStyle: false }),
    );
  });

  it('requires the bucket and credentials with EVIDENCE_STORAGE=s3, naming each missing variable', () => {
    expect(problemsOf({ EVIDENCE_STORAGE: 's3' })).toEqual([
      'S3_BUCKET is required when EVIDENCE_STORAGE=s3',
      'S3_ACCESS_KEY_ID is required when EVIDENCE_STORAGE=s3',
      'S3_SECRET_ACCESS_KEY is required when EVIDENCE_STORAGE=s3',
    ]);
    expect(problemsOf({ ...S3, S3_SECRET_ACCESS_KEY: '' })).toEqual(['S3_SECRET_ACCESS_KEY is required when EVIDENCE_STORAGE=s3']);
    // Without s3, the S3 variables are not needed.
    expect(loadConfig({ EVIDENCE_STORAGE: 'fs' }).evidence.storage.kind).toBe('fs');
  });

  it.each([
    ['EVIDENCE_MAX_BYTES', '0'],
    ['EVIDENCE_MAX_BYTES', '1.5'],
    ['EVIDENCE_MAX_BYTES', '100MB'],
    ['EVIDENCE_MAX_BYTES', '10737418241'],
    ['EVIDENCE_STORAGE', 'gcs'],
    ['S3_ENDPOINT', 'minio:9000'],
    ['S3_ENDPOINT', 'ftp://minio'],
    ['S3_BUCKET', 'Has_Upper'],
    ['S3_BUCKET', 'ab'],
    ['S3_REGION', 'EU West'],
    ['S3_FORCE_PATH_STYLE', 'yes'],
  ])('refuses %s=%j, naming it', (name, value) => {
    const problems = problemsOf({ ...S3, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });

  it('never echoes the S3 credentials', () => {
    const problems = problemsOf({ ...S3, S3_ACCESS_KEY_ID: 'AKIA 1234', S3_SECRET_ACCESS_KEY: 'top secret' });
    expect(problems.join('\n')).not.toMatch(/AKIA|top secret/);
    expect(problems.join('\n')).toContain('(hidden)');
  });
});
