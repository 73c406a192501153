import { createHash } from 'node:crypto';
import { canonicalJson } from '../core';

/** prev_hash of a tenant's first event: the chain starts from nothing. */
export const GENESIS_HASH = '0'.repeat(64);

/** Exactly what one link of the chain covers; every field is hashed, nothing else is. */
export interface AuditRecord {
  readonly tenantId: string;
  readonly seq: number;
  /** ISO-8601 UTC with milliseconds, e.g. `2025-01-31T09:30:00.123Z`. */
  readonly at: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly entity: { readonly type: string; readonly id: string };
  readonly data: Readonly<Record<string, unknown>>;
  readonly requestId: string | null;
}

/** hash = sha256(prev_hash || canonical JSON of the record), both as UTF-8 text, hex digest. */
export function chainHash(prevHash: string, record: AuditRecord): string {
  const covered: AuditRecord = {
    tenantId: record.tenantId,
    seq: record.seq,
    at: record.at,
    actorId: record.actorId,
    action: record.action,
    entity: { type: record.entity.type, id: record.entity.id },
    data: record.data,
    requestId: record.requestId,
  };
  return createHash('sha256')
    .update(prevHash + canonicalJson(covered), 'utf8')
    .digest('hex');
}

export const HASH_FORMAT = /^[0-9a-f]{64}$/;
