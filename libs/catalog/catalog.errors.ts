import { NotFoundError } from '../core';

export class CatalogNotFoundError extends NotFoundError {
  constructor(key: string, version?: string) {
    super(
      'CATALOG_NOT_FOUND',
      version
        ? `Catalog "${key}" has no version "${version}". GET /api/v1/catalogs lists the catalogs and their versions.`
        : `There is no catalog "${key}". GET /api/v1/catalogs lists the catalogs.`,
      { key, ...(version ? { version } : {}) },
    );
  }
}
