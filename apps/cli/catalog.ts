import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import {
  CatalogImportError,
  CatalogRepository,
  formatProblem,
  importCatalog,
  loadedCatalog,
  runImportRecipe,
  type ImportOptions,
  type ImportProblem,
  type ImportResult,
} from '../../libs/catalog';
import { createLogger, isUuid, type AppConfig } from '../../libs/core';
import { beginScoped, createDataSource, resolveDatabase, type DatabaseTarget } from '../../libs/db';
import { loadCatalogs, migrate } from '../runtime/prepare-database';
import { SCHEMA } from '../runtime/schema';
import { runCli } from './run-cli';

const USAGE = `usage: npm run catalog:import -- FILE [options]
  Imports a provider catalog (Markdown RACI page, CSV or canonical JSON) as a global catalog
  version, through the seeder (as the owner role). When the catalog is already loaded, its newest
  version's keys are kept for the activities that match it (by section and title).
  --key K            catalog key (default: the loaded catalog's, else from provider and title)
  --version V        version (default: the publication date)
  --provider NAME    the provider (default: from the party column, e.g. OVHcloud)
  --name N           catalog name (default: the page title)
  --published-on D   publication date YYYY-MM-DD (default: the page's \`updated\`)
  --key-prefix P     prefix of new activity keys (default: the loaded version's, else initials)
  --source-url U, --publisher P, --license L, --retrieved-on D   attribution of the source
  --tenant ID        import it as a private catalog of that tenant (like the API's import)
                     instead of a global one; its key may not be a global catalog's
  --dry-run          read and check only: nothing is stored
  --json             print one JSON object {key, version, activities, customerDuties,
                     providerCommitments, uncertain, warnings}
usage: npm run catalog:import -- --recipe RECIPE.json [--check]
  Generates a seed file from its recipe (seeds/catalogs/sources/*.recipe.json); --check only
  compares it with the checked-in file (exit 1 when they differ).`;

const VALUE_FLAGS: Record<string, keyof ImportOptions> = {
  '--key': 'key',
  '--version': 'version',
  '--provider': 'provider',
  '--name': 'name',
  '--published-on': 'publishedOn',
  '--source-url': 'sourceUrl',
  '--publisher': 'publisher',
  '--license': 'license',
  '--retrieved-on': 'retrievedOn',
  '--key-prefix': 'keyPrefix',
};

interface Args {
  file?: string;
  tenant?: string;
  recipe?: string;
  check: boolean;
  dryRun: boolean;
  json: boolean;
  options: Record<string, string>;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { check: false, dryRun: false, json: false, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--dry-run') args.dryRun = true;
    else if (flag === '--json') args.json = true;
    else if (flag === '--check') args.check = true;
    else if (flag === '--recipe' || flag === '--tenant' || VALUE_FLAGS[flag]) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${flag} needs a value`;
      if (flag === '--recipe') args.recipe = value;
      else if (flag === '--tenant') {
        if (!isUuid(value)) return `--tenant takes a tenant id (a UUID), not ${value}`;
        args.tenant = value.toLowerCase();
      } else args.options[VALUE_FLAGS[flag] as string] = value;
    } else if (flag.startsWith('-')) return `unknown option ${flag}`;
    else if (args.file) return `one file at a time (got ${args.file} and ${a})`;
    else args.file = a;
  }
  if (!args.file && !args.recipe) return 'name the file to import';
  return args;
}

const summary = (r: ImportResult): Record<string, unknown> => ({
  key: r.catalog.key,
  version: r.catalog.version,
  ...r.counts,
  warnings: r.warnings,
});

function printWarnings(warnings: readonly ImportProblem[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
}

/** `--recipe`: writes (or with --check, compares) the seed file a recipe generates; no database. */
function recipe(args: Args): number {
  const run = runImportRecipe(args.recipe as string);
  const relative = path.relative(process.cwd(), run.output);
  const current = fs.existsSync(run.output) ? fs.readFileSync(run.output, 'utf8') : null;
  if (args.check) {
    process.stdout.write(current === run.text ? `${relative} is up to date\n` : `${relative} differs from what its recipe generates\n`);
    return current === run.text ? 0 : 1;
  }
  if (current !== run.text) fs.writeFileSync(run.output, run.text);
  printWarnings(run.result.warnings);
  process.stdout.write(
    `${relative}: ${run.result.catalog.key}@${run.result.catalog.version}, ${run.result.counts.activities} activities, ${run.result.counts.customerDuties} customer duties${current === run.text ? ' (unchanged)' : ' (written)'}\n`,
  );
  return 0;
}

/**
 * The latest loaded version of the catalog the file is about, to keep its keys (read as the app
 * role). With a tenant: in that tenant's scope, which sees its private catalogs; `globalKey` tells
 * whether a global catalog already has the key (a private catalog may not take it).
 */
async function previousVersion(target: DatabaseTarget, key: string, tenant: string | undefined, logger: ReturnType<typeof createLogger>) {
  const ds = createDataSource({ url: target.appUrl, poolSize: 1, applicationName: 'dutybook-cli' }, SCHEMA, logger);
  await ds.initialize();
  try {
    if (!tenant) return { previous: await loadedCatalog(ds, key), globalKey: false };
    const globalKey = await CatalogRepository.on(ds.manager).globalKeyExists(key);
    const previous = await beginScoped(ds, { tenantId: tenant, userId: null }, (em) => CatalogRepository.on(em).definition(key, 'latest'));
    return { previous, globalKey };
  } finally {
    await ds.destroy();
  }
}

async function main(config: AppConfig): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n${USAGE}\n`);
    return 2;
  }
  try {
    if (args.recipe) return recipe(args);
    const file = args.file as string;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      process.stderr.write(`cannot read ${file}: ${(error as Error).message}\n`);
      return 1;
    }
    const options: ImportOptions = { ...args.options, file };
    // Read once to learn which catalog this is; then again against its loaded version for the keys.
    let result = importCatalog(bytes, options);
    const logger = createLogger(config.logLevel, 'dutybook-catalog');
    const target = await resolveDatabase(config, logger);
    try {
      if (config.migrateOnStart) await migrate(target, logger);
      const { previous, globalKey } = await previousVersion(target, result.catalog.key, args.tenant, logger);
      if (globalKey) {
        process.stderr.write(
          `${file} refused:\n  - a global catalog is called ${result.catalog.key}: give the tenant's catalog another --key\n`,
        );
        return 1;
      }
      if (previous && result.matches.some((m) => m.by !== 'source')) result = importCatalog(bytes, { ...options, previous });
      let stored: 'loaded' | 'unchanged' | 'dry-run' = 'dry-run';
      if (!args.dryRun) {
        let outcome;
        try {
          outcome = await loadCatalogs(target, logger, [result.catalog], args.tenant ?? null);
        } catch (error) {
          // catalog_tenant_id_fkey: the tenant does not exist.
          if ((error as { code?: unknown }).code !== '23503') throw error;
          process.stderr.write(`${file} refused:\n  - there is no tenant ${args.tenant ?? ''}\n`);
          return 1;
        }
        if (outcome.conflicts.length > 0) {
          process.stderr.write(
            `${file} refused:\n  - ${result.catalog.key}@${result.catalog.version} is already loaded with other content; versions are immutable: import it under a new --version\n`,
          );
          return 1;
        }
        stored = outcome.loaded.length > 0 ? 'loaded' : 'unchanged';
      }
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ ...summary(result), stored, ...(args.tenant ? { tenantId: args.tenant } : {}) })}\n`);
      } else {
        printWarnings(result.warnings);
        const c = result.counts;
        process.stdout.write(
          `${result.catalog.key}@${result.catalog.version}: ${c.activities} activities, ${c.customerDuties} customer duties, ${c.providerCommitments} provider commitments, ${c.uncertain} uncertain; ${
            stored === 'dry-run' ? 'dry run, nothing stored' : stored === 'loaded' ? 'loaded' : 'already loaded with the same content'
          }\n`,
        );
      }
      return 0;
    } finally {
      await target.embedded?.stop();
    }
  } catch (error) {
    if (!(error instanceof CatalogImportError)) throw error;
    process.stderr.write(`${error.message}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify({ errors: error.errors, warnings: error.warnings })}\n`);
    return 1;
  }
}

runCli('catalog:import', main);
