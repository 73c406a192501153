import fs from 'node:fs';
import path from 'node:path';
import { duplicateCodes, renderErrorCatalogue } from '../api/http/error-catalogue';
import { projectRoot } from '../../libs/core';

// `npm run docs:errors`: writes docs/errors.md from the declared error tables.
const duplicates = duplicateCodes();
if (duplicates.length > 0) {
  process.stderr.write(`error codes declared twice: ${duplicates.join(', ')}\n`);
  process.exit(1);
}
fs.writeFileSync(path.join(projectRoot(), 'docs', 'errors.md'), renderErrorCatalogue());
process.stdout.write('wrote docs/errors.md\n');
