export { EvidenceModule, createEvidenceStorage } from './evidence.module';
export {
  EvidenceService,
  normalizeLink,
  DESCRIPTION_MAX,
  NOTE_MAX,
  URL_MAX,
  VERIFY_IN_MEMORY_BYTES,
  type EvidenceContent,
  type FileFields,
  type IncomingFile,
} from './evidence.service';
export type { EvidenceKind, EvidenceView } from './evidence.views';
export { EvidenceRepository } from './evidence.repository';
export { evidenceUsage, type EvidenceUsage } from './evidence-usage';
export * from './evidence.errors';
export { EVIDENCE_STORAGE, type EvidenceStorage } from './storage/evidence-storage';
export { FsEvidenceStorage } from './storage/fs-storage';
export { S3EvidenceStorage, type S3StorageOptions } from './storage/s3-storage';
export { ALLOWED_TYPE_LIST, type AllowedMediaType } from './content/media-types';
export { sanitizeFileName } from './content/file-name';
export { EvidenceEntity, EVIDENCE_ENTITIES, EVIDENCE_KINDS } from './evidence.entity';
export { EvidenceExportReader, type ExportEvidence } from './evidence-export.reader';
export { EvidencePurge, EVIDENCE_FILES_PURGE_QUEUE, type EvidenceFilesPurgeJob } from './evidence-purge';
