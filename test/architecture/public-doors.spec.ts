import fs from 'node:fs';
import path from 'node:path';

// Code outside a lib (apps, benchmarks, end-to-end tests, other libs) reaches it only through its
// index.ts: `libs/<lib>` or `../<lib>`, never a file inside it.
const ROOT = path.join(__dirname, '..', '..');

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'web' ? [] : walk(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:from|import\()\s*'([^']+)'/g;

describe('public doors', () => {
  it('no import reaches into another lib past its index', () => {
    const problems: string[] = [];
    for (const top of ['apps', 'bench', 'test', 'libs', 'migrations']) {
      for (const file of walk(path.join(ROOT, top))) {
        const ownLib = path.relative(path.join(ROOT, 'libs'), file).split(path.sep);
        const own = ownLib[0] !== '..' ? ownLib[0] : undefined;
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(IMPORT)) {
          const spec = m[1]!;
          if (!spec.startsWith('.')) continue;
          const target = path.relative(path.join(ROOT, 'libs'), path.resolve(path.dirname(file), spec)).split(path.sep);
          if (target[0] === '..' || target.length < 2) continue; // not in libs, or a lib's index
          if (target[0] === own) continue; // inside the same lib
          problems.push(`${path.relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
