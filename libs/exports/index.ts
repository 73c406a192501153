export { ExportsModule } from './exports.module';
export { EXPORTS_ENTITIES, EvidencePackEntity, CalendarFeedEntity, PACK_STATES, type PackState } from './exports.entities';
export {
  EvidencePacksService,
  EVIDENCE_PACK_QUEUE,
  EVIDENCE_PACK_EXPIRY_QUEUE,
  type EvidencePackView,
  type PackContent,
  type PackFilter,
} from './evidence-packs.service';
export { ReportsService, type TaskListFilter } from './reports.service';
export { CalendarFeedsService, type CalendarFeedView, type FeedScope } from './calendar-feeds.service';
export { PackVerifierService, type PackVerification } from './pack-verifier.service';
export * from './exports.errors';
