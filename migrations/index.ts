import { Catalog1764000000000 } from './1764000000000-catalog';
import { Tenancy1764000001000 } from './1764000001000-tenancy';

/** Every migration, in order. Listed explicitly so sources (tests) and dist run the same set. */
export const MIGRATIONS = [Catalog1764000000000, Tenancy1764000001000];
