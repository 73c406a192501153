import { AUDIT_ENTITIES } from '../../libs/audit';
import { CATALOG_ENTITIES } from '../../libs/catalog';
import type { DataSourceParts } from '../../libs/db';
import { EVIDENCE_ENTITIES } from '../../libs/evidence';
import { REMINDERS_ENTITIES } from '../../libs/reminders';
import { TASKS_ENTITIES } from '../../libs/tasks';
import { EXPORTS_ENTITIES } from '../../libs/exports';
import { TENANCY_ENTITIES } from '../../libs/tenancy';
import { MIGRATIONS } from '../../migrations';

/** Every entity and migration of the product: the one list api, worker and CLI share. */
export const SCHEMA: DataSourceParts = {
  entities: [
    ...CATALOG_ENTITIES,
    ...TENANCY_ENTITIES,
    ...TASKS_ENTITIES,
    ...EVIDENCE_ENTITIES,
    ...AUDIT_ENTITIES,
    ...REMINDERS_ENTITIES,
    ...EXPORTS_ENTITIES,
  ],
  migrations: MIGRATIONS,
};
