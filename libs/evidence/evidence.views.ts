export type EvidenceKind = 'file' | 'link' | 'note';

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

/** A row of the evidence table, as selected by the service. */
export interface EvidenceRow {
  id: string;
  task_id: string;
  kind: EvidenceKind;
  description: string | null;
  file_name: string | null;
  media_type: string | null;
  /** bigint: pg gives it as a string. */
  size: string | null;
  sha256: string | null;
  storage_key: string | null;
  url: string | null;
  text: string | null;
  submitted_by: string;
  submitted_at: Date;
}

export const EVIDENCE_COLUMNS =
  'id, task_id, kind, description, file_name, media_type, size, sha256, storage_key, url, text, submitted_by, submitted_at';

export function toEvidenceView(row: EvidenceRow): EvidenceView {
  return {
    id: row.id,
    taskId: row.task_id,
    kind: row.kind,
    description: row.description,
    fileName: row.file_name,
    mediaType: row.media_type,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    url: row.url,
    text: row.text,
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at.toISOString(),
  };
}
