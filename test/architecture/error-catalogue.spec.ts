import fs from 'node:fs';
import path from 'node:path';
import { duplicateCodes, ERROR_TABLES, renderErrorCatalogue } from '../../apps/api/http/error-catalogue';

describe('error catalogue', () => {
  it('declares each code once', () => {
    expect(duplicateCodes()).toEqual([]);
  });

  it('docs/errors.md is current (run `npm run docs:errors` after changing an error table)', () => {
    const file = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
    expect(file).toBe(renderErrorCatalogue());
  });

  it('lists every code with its status', () => {
    const doc = renderErrorCatalogue();
    for (const table of ERROR_TABLES) for (const e of Object.values(table)) expect(doc).toContain(`| \`${e.code}\` | ${e.status} |`);
  });
});
