import type { EvidenceEntity, EvidenceKind } from './evidence.entity';

export type { EvidenceKind } from './evidence.entity';

/** What clients see of one piece of evidence (the same shape for every kind; unused fields null). */
export interface EvidenceView {
  id: string;
  taskId: string;
  kind: EvidenceKind;
  description: string | null;
  /** The client's file name, sanitised; metadata only (storage uses a generated key). */
  fileName: string | null;
  /** Sniffed from the bytes, never taken from the client. */
  mediaType: string | null;
  size: number | null;
  sha256: string | null;
  url: string | null;
  text: string | null;
  submittedBy: string;
  submittedAt: string;
}

export function toEvidenceView(row: EvidenceEntity): EvidenceView {
  return {
    id: row.id,
    taskId: row.taskId,
    kind: row.kind,
    description: row.description,
    fileName: row.fileName,
    mediaType: row.mediaType,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    url: row.url,
    text: row.text,
    submittedBy: row.submittedBy,
    submittedAt: row.submittedAt.toISOString(),
  };
}
