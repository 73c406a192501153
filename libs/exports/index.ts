export { EXPORTS_ENTITIES, EvidencePackEntity, CalendarFeedEntity, PACK_STATES, type PackState } from './exports.entities';
