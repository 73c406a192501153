import fs from 'node:fs';
import path from 'node:path';
import type { QueryRunner } from 'typeorm';
import { projectRoot } from '../libs/core';

/**
 * The current definition of each database function lives in one file of its lib,
 * `libs/<lib>/sql/<function>.sql`, holding one `CREATE OR REPLACE FUNCTION` (docs/data-access.md).
 * A migration that creates or changes a function applies that file with this helper, so the
 * source file is always the function as it runs (test/architecture/function-sources.int-spec.ts
 * compares them).
 *
 * The file is read when the migration runs, so an older migration applies the newer content on a
 * fresh database; the newer migration applies it again. Bodies are therefore not checked at
 * creation (`check_function_bodies` off for the statement): a newer body may name a function that
 * a later migration creates. Grants, triggers and policies stay in the migration.
 */
export async function applyFunctionSource(q: QueryRunner, lib: string, name: string): Promise<void> {
  await q.query(`SELECT set_config('check_function_bodies', 'off', true)`);
  await q.query(readFunctionSource(lib, name));
  await q.query(`SELECT set_config('check_function_bodies', 'on', true)`);
}

export function functionSourcePath(lib: string, name: string): string {
  return path.join(projectRoot(), 'libs', lib, 'sql', `${name}.sql`);
}

export function readFunctionSource(lib: string, name: string): string {
  return fs.readFileSync(functionSourcePath(lib, name), 'utf8');
}
