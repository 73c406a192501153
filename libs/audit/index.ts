export { AuditModule } from './audit.module';
export { AuditSink } from './audit.sink';
export { AuditService, type AuditBreak, type AuditEventView, type AuditPage, type AuditVerification } from './audit.service';
export { chainHash, GENESIS_HASH, HASH_FORMAT, type AuditRecord } from './audit.chain';
