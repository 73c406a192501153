import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../core';
import { parseCatalog } from '../catalog.loader';
import { importCatalog } from './catalog.importer';
import type { ImportOptions, ImportResult } from './import.types';

/**
 * How a seed catalog file is generated from a published source: the source copy, the previous
 * version to keep keys from, the output file, and the catalog fields (attribution included).
 * Paths are relative to the recipe's folder. The generated file is checked in; a test runs the
 * recipe again and expects the same bytes, so the seed cannot drift from its source.
 */
export interface ImportRecipe {
  readonly source: string;
  readonly previous?: string;
  readonly output: string;
  readonly options: Omit<ImportOptions, 'previous' | 'file' | 'sourcePath'>;
}

export interface RecipeRun {
  readonly result: ImportResult;
  /** Absolute path of the file the recipe generates. */
  readonly output: string;
  /** Its content: the canonical JSON, two-space indented, with a final newline. */
  readonly text: string;
}

/** Runs a recipe in memory (nothing is written). */
export function runImportRecipe(recipeFile: string): RecipeRun {
  const dir = path.dirname(path.resolve(recipeFile));
  const recipe = JSON.parse(fs.readFileSync(recipeFile, 'utf8')) as ImportRecipe;
  if (typeof recipe.source !== 'string' || typeof recipe.output !== 'string' || typeof recipe.options !== 'object')
    throw new Error(`${recipeFile}: a recipe needs "source", "output" and "options"`);
  const source = path.resolve(dir, recipe.source);
  const previous = recipe.previous ? path.resolve(dir, recipe.previous) : undefined;
  const root = projectRoot();
  const result = importCatalog(fs.readFileSync(source), {
    ...recipe.options,
    file: path.relative(root, source),
    sourcePath: path.relative(root, source).split(path.sep).join('/'),
    ...(previous ? { previous: parseCatalog(fs.readFileSync(previous, 'utf8'), previous) } : {}),
  });
  return { result, output: path.resolve(dir, recipe.output), text: `${JSON.stringify(result.document, null, 2)}\n` };
}
