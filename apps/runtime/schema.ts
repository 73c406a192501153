import { CATALOG_ENTITIES } from '../../libs/catalog';
import type { DataSourceParts } from '../../libs/db';
import { MIGRATIONS } from '../../migrations';

/** Every entity and migration of the product: the one list api, worker and CLI share. */
export const SCHEMA: DataSourceParts = {
  entities: [...CATALOG_ENTITIES],
  migrations: MIGRATIONS,
};
