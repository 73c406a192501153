export { lockTaskForEvidence, noteEvidenceAdded, type TaskStatus } from './task-evidence';
export * from './tasks.errors';
