export { CatalogModule } from './catalog.module';
export {
  CatalogService,
  toVersionView,
  importSummary,
  type ActivityView,
  type AttributionView,
  type CatalogDiffView,
  type CatalogSummary,
  type CatalogVersionSummary,
  type CatalogVersionView,
  type ImportSummary,
  type SectionView,
} from './catalog.service';
export {
  CatalogRepository,
  VERSION_SQL,
  ACTIVITIES_SQL,
  LATEST_FIRST,
  VISIBLE_CATALOG,
  type VersionRow,
  type ActivityRow,
} from './catalog.repository';
export { CATALOG_ENTITIES, ActivityEntity, CatalogEntity, CatalogSectionEntity, CatalogVersionEntity } from './catalog.entities';
export {
  parseCatalog,
  loadCatalogDir,
  CatalogFileError,
  CATALOG_FORMAT_VERSION,
  type CatalogDefinition,
  type CatalogProblem,
  type Attribution,
} from './catalog.loader';
export { CATALOG_PUBLISHED_QUEUE, type CatalogPublishedJob } from './catalog-published';
export { seedCatalogs, loadedCatalog, loadOrder, type SeedResult } from './catalog.seeder';
export { runImportRecipe, type ImportRecipe, type RecipeRun } from './import/import.recipe';
export { CATALOG_ERRORS, CatalogNotFoundError, CatalogKeyTakenError, CatalogVersionExistsError } from './catalog.errors';
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
export { importCatalog, importMarkdown, importCsv, importJson, detectFormat, countsOf, DEFAULT_CADENCE } from './import/catalog.importer';
export { catalogToCsv } from './import/csv.writer';
export {
  CatalogImportError,
  IMPORT_LIMITS,
  formatProblem,
  type ImportFormat,
  type ImportOptions,
  type ImportProblem,
  type ImportResult,
  type ImportCounts,
  type KeyMapping,
} from './import/import.types';
export {
  diffCatalogs,
  titleSimilarity,
  matchScore,
  MATCH_THRESHOLD,
  type ActivityMatch,
  type CatalogDiff,
  type ChangedActivity,
  type ActivityChanges,
  type DiffableCatalog,
} from './import/activity-match';
export * from './version-reads';
