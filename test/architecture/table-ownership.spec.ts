import fs from 'node:fs';
import path from 'node:path';

// Each table is owned by the one lib whose entity declares it; only that lib's SQL names it.
// Read from the sources as text, so it needs no database and catches SQL in any string.
const ROOT = path.join(__dirname, '..', '..');
const LIBS = path.join(ROOT, 'libs');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const isTest = (file: string): boolean => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file);
const libOf = (file: string): string => path.relative(LIBS, file).split(path.sep)[0]!;
const sources = walk(LIBS).filter((f) => (f.endsWith('.ts') || f.endsWith('.sql')) && !isTest(f));

/** Tables the migrations create. */
function migratedTables(): Set<string> {
  const tables = new Set<string>();
  for (const file of walk(path.join(ROOT, 'migrations')).filter((f) => f.endsWith('.ts') && !isTest(f)))
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)/g)) tables.add(m[1]!);
  return tables;
}

/** table -> owning lib, from @Entity('table') declarations. */
function owners(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const file of sources.filter((f) => f.endsWith('.ts')))
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/@Entity\(\s*['"]([a-z_][a-z0-9_]*)['"]/g))
      map.set(m[1]!, [...(map.get(m[1]!) ?? []), libOf(file)]);
  return map;
}

// The SQL keywords after which a table name stands (upper case, as every query here is written).
const TABLE_REFERENCE = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|ON CONFLICT ON CONSTRAINT)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\b/g;

describe('table ownership', () => {
  const tables = migratedTables();
  const owner = owners();

  it('every table the migrations create has exactly one entity, in one lib', () => {
    const problems = [...tables].flatMap((t) => {
      const libs = owner.get(t) ?? [];
      return libs.length === 1 ? [] : [`${t}: ${libs.length === 0 ? 'no entity' : `entities in ${libs.join(', ')}`}`];
    });
    expect(problems).toEqual([]);
  });

  it('no SQL in a lib names a table another lib owns', () => {
    const problems: string[] = [];
    for (const file of sources) {
      const lib = libOf(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(TABLE_REFERENCE)) {
        const table = m[1]!;
        const libs = owner.get(table);
        if (!tables.has(table) || !libs || libs.includes(lib)) continue;
        const line = text.slice(0, m.index).split('\n').length;
        problems.push(`${path.relative(ROOT, file)}:${line} names ${table}, owned by libs/${libs.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
