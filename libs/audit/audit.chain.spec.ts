import { createHash } from 'node:crypto';
import { chainHash, GENESIS_HASH, type AuditRecord } from './audit.chain';

const record: AuditRecord = {
  tenantId: '0b6f3f5e-3f5a-4c1e-9a51-6f1d2c3b4a59',
  seq: 1,
  at: '2026-01-02T03:04:05.678Z',
  actorId: null,
  action: 'tenant.created',
  entity: { type: 'tenant', id: '0b6f3f5e-3f5a-4c1e-9a51-6f1d2c3b4a59' },
  data: { name: 'Acme', nested: { b: 2, a: [1, 'x'] } },
  requestId: 'req-1',
};

describe('chainHash', () => {
  it('is sha256 of prev_hash followed by the canonical JSON of the record (docs/audit.md)', () => {
    const text =
      GENESIS_HASH +
      '{"action":"tenant.created","actorId":null,"at":"2026-01-02T03:04:05.678Z","data":{"name":"Acme","nested":{"a":[1,"x"],"b":2}},' +
      '"entity":{"id":"0b6f3f5e-3f5a-4c1e-9a51-6f1d2c3b4a59","type":"tenant"},"requestId":"req-1","seq":1,"tenantId":"0b6f3f5e-3f5a-4c1e-9a51-6f1d2c3b4a59"}';
    expect(chainHash(GENESIS_HASH, record)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('changes with every covered field and with the previous hash', () => {
    const base = chainHash(GENESIS_HASH, record);
    const variants: AuditRecord[] = [
      { ...record, seq: 2 },
      { ...record, at: '2026-01-02T03:04:05.679Z' },
      { ...record, actorId: '0b6f3f5e-3f5a-4c1e-9a51-6f1d2c3b4a50' },
      { ...record, action: 'tenant.renamed' },
      { ...record, entity: { type: 'tenant', id: 'other' } },
      { ...record, data: { name: 'Acme ' } },
      { ...record, requestId: null },
      { ...record, tenantId: '0b6f3f5e-3f5a-4c1e-9a51-6f1d2c3b4a50' },
    ];
    for (const v of variants) expect(chainHash(GENESIS_HASH, v)).not.toBe(base);
    expect(chainHash('f'.repeat(64), record)).not.toBe(base);
  });

  it('ignores anything outside the record', () => {
    const extra = { ...record, hash: 'x', prevHash: 'y' } as AuditRecord;
    expect(chainHash(GENESIS_HASH, extra)).toBe(chainHash(GENESIS_HASH, record));
  });
});
