export { AuditModule } from './audit.module';
export { AuditSink } from './audit.sink';
export { AuditService, type AuditBreak, type AuditEventView, type AuditPage, type AuditVerification } from './audit.service';
export { chainHash, GENESIS_HASH, HASH_FORMAT, type AuditRecord } from './audit.chain';
export { AuditEventEntity } from './audit-event.entity';
export { AuditHeadEntity } from './audit-head.entity';
import { AuditEventEntity } from './audit-event.entity';
import { AuditHeadEntity } from './audit-head.entity';
/** The tables libs/audit owns. */
export const AUDIT_ENTITIES = [AuditEventEntity, AuditHeadEntity];
export { AuditExportReader } from './audit-export.reader';
