import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

interface Chunk {
  type: 'chunk' | 'asset';
  isEntry?: boolean;
  imports?: string[];
  code?: string;
  fileName: string;
}

/**
 * Fails the build when the JavaScript a first visit loads (the entry chunk and every chunk it
 * imports statically, not the lazily loaded pages) weighs more than `limitBytes` gzipped.
 */
function initialJsBudget(limitBytes: number): Plugin {
  return {
    name: 'dutybook:initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = bundle as unknown as Record<string, Chunk>;
      const initial = new Set<string>();
      const visit = (name: string): void => {
        if (initial.has(name)) return;
        initial.add(name);
        for (const next of chunks[name]?.imports ?? []) visit(next);
      };
      for (const [name, chunk] of Object.entries(chunks)) if (chunk.type === 'chunk' && chunk.isEntry) visit(name);
      const total = [...initial].reduce((sum, name) => sum + gzipSync(chunks[name]?.code ?? '').length, 0);
      const line = `initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${(limitBytes / 1024).toFixed(0)} KB)`;
      if (total > limitBytes) this.error(line);
      this.info(line);
    },
  };
}

// The console, built into dist/web and served by the api (apps/api/http/console.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: path.resolve(import.meta.dirname, '../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No inline <script> or data: module: the Content-Security-Policy allows scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      // The "[PLUGIN_TIMINGS]" notice (a plugin's share of the build time, e.g. vite's own CSS
      // plugin on a busy machine) says nothing we can act on and was printed on every `npm start`.
      checks: { bundlerTimings: false },
      onwarn(warning, warn) {
        // React Query marks its files "use client" for server components, which a plain SPA has none of.
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [initialJsBudget(200 * 1024)],
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
