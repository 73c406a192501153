import { declareErrors, DomainError } from '../core';

/** The error codes of libs/catalog: code, HTTP status, meaning (docs/errors.md is generated from it). */
export const CATALOG_ERRORS = declareErrors('catalog', {
  CATALOG_NOT_FOUND: {
    status: 404,
    meaning: 'No such catalog, or no such version of it, visible to you. GET /api/v1/catalogs (or .../tenants/:id/catalogs) lists them.',
  },
  CATALOG_IMPORT_INVALID: {
    status: 422,
    meaning: 'The catalog file is refused whole, nothing stored; `details.errors` gives each problem with its line and cell.',
  },
  CATALOG_VERSION_EXISTS: {
    status: 409,
    meaning: 'This catalog already has that version with other content; versions are immutable: import it under a new version.',
  },
  CATALOG_KEY_TAKEN: {
    status: 409,
    meaning: 'A global catalog uses this key: give the tenant catalog another key (`?key=`).',
  },
  CATALOG_IMPORT_UNSUPPORTED: {
    status: 415,
    meaning: 'Send the catalog as multipart/form-data (part `file`) or as a text/markdown or text/csv body (not JSON).',
  },
  CATALOG_IMPORT_TOO_LARGE: { status: 413, meaning: 'The catalog file is larger than 20 MB.' },
  CATALOG_IMPORT_MALFORMED: {
    status: 400,
    meaning: 'The multipart/form-data body is malformed or incomplete, or has parts other than one `file`.',
  },
});

export class CatalogNotFoundError extends DomainError {
  constructor(key: string, version?: string) {
    super(
      CATALOG_ERRORS.CATALOG_NOT_FOUND,
      version
        ? `Catalog "${key}" has no version "${version}". GET /api/v1/catalogs lists the catalogs and their versions.`
        : `There is no catalog "${key}". GET /api/v1/catalogs lists the catalogs.`,
      { key, ...(version ? { version } : {}) },
    );
  }
}

export class CatalogVersionExistsError extends DomainError {
  constructor(key: string, version: string) {
    super(
      CATALOG_ERRORS.CATALOG_VERSION_EXISTS,
      `${key}@${version} is already stored with other content; versions are immutable: import it under a new version (?version=).`,
      { key, version },
    );
  }
}

export class CatalogKeyTakenError extends DomainError {
  constructor(key: string) {
    super(CATALOG_ERRORS.CATALOG_KEY_TAKEN, `A global catalog is called "${key}": give this tenant's catalog another key (?key=).`, {
      key,
    });
  }
}
