export { CatalogModule } from './catalog.module';
export {
  CatalogService,
  toVersionView,
  VERSION_SQL,
  ACTIVITIES_SQL,
  type VersionRow,
  type ActivityRow,
  type ActivityView,
  type CatalogSummary,
  type CatalogVersionSummary,
  type CatalogVersionView,
  type SectionView,
} from './catalog.service';
export { CATALOG_ENTITIES, ActivityEntity, CatalogEntity, CatalogSectionEntity, CatalogVersionEntity } from './catalog.entities';
export {
  parseCatalog,
  loadCatalogDir,
  CatalogFileError,
  CATALOG_FORMAT_VERSION,
  type CatalogDefinition,
  type CatalogProblem,
} from './catalog.loader';
export { seedCatalogs, type SeedResult } from './catalog.seeder';
export { CatalogNotFoundError } from './catalog.errors';
export {
  PHASES,
  PERIODS,
  CADENCES,
  CUSTOMER,
  isCustomerDuty,
  canonicalLetters,
  type Phase,
  type Period,
  type Cadence,
  type RaciMap,
} from './catalog.model';
export * from './activity-reads';
