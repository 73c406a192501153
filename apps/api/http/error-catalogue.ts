import { CATALOG_ERRORS } from '../../../libs/catalog';
import { CORE_ERRORS, LIB, type ErrorCode } from '../../../libs/core';
import { EVIDENCE_ERRORS } from '../../../libs/evidence';
import { EXPORTS_ERRORS } from '../../../libs/exports';
import { REMINDERS_ERRORS } from '../../../libs/reminders';
import { NOTIFY_ERRORS } from '../../../libs/notify';
import { TASKS_ERRORS } from '../../../libs/tasks';
import { TENANCY_ERRORS } from '../../../libs/tenancy';
import { HTTP_ERRORS } from './http.errors';

type Table = Readonly<Record<string, ErrorCode>> & { readonly [LIB]: string };

/** Every error table the API can answer with, in the order the catalogue lists them. */
export const ERROR_TABLES: readonly Table[] = [
  HTTP_ERRORS,
  CORE_ERRORS,
  CATALOG_ERRORS,
  TENANCY_ERRORS,
  TASKS_ERRORS,
  EVIDENCE_ERRORS,
  REMINDERS_ERRORS,
  NOTIFY_ERRORS,
  EXPORTS_ERRORS,
];

/** Codes declared twice would make the catalogue ambiguous: refused. */
export function duplicateCodes(tables: readonly Table[] = ERROR_TABLES): string[] {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const table of tables)
    for (const entry of Object.values(table)) {
      const other = seen.get(entry.code);
      if (other !== undefined) duplicates.push(`${entry.code} (${other} and ${table[LIB]})`);
      seen.set(entry.code, table[LIB]);
    }
  return duplicates;
}

/** docs/errors.md, generated: `npm run docs:errors` writes it, a test checks it is current. */
export function renderErrorCatalogue(tables: readonly Table[] = ERROR_TABLES): string {
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from the error tables (declareErrors) by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every error answer has the body `{statusCode, code, message, details?, requestId}`. `code` is stable:',
    'clients branch on it. `message` says what to do and may change. `requestId` is also in the',
    '`x-request-id` header and in the server log line of the request.',
    '',
  ];
  for (const table of tables) {
    lines.push(`## ${table[LIB]}`, '', '| code | HTTP status | meaning |', '| --- | --- | --- |');
    for (const entry of Object.values(table).sort((a, b) => a.status - b.status || a.code.localeCompare(b.code)))
      lines.push(`| \`${entry.code}\` | ${entry.status} | ${entry.meaning.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n');
}
