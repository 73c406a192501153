import { normalize } from './source-text';

/** What matching looks at: the section (key and title) and the activity's title. */
export interface MatchItem {
  readonly section: string;
  readonly sectionTitle: string;
  readonly title: string;
}

export interface Pair {
  readonly from: number;
  readonly to: number;
  /** 0..1: 1 for the same title in the same section. */
  readonly score: number;
}

/** How an imported activity got its key. */
export interface ActivityMatch {
  readonly key: string;
  readonly title: string;
  /** Source line of the activity (absent for JSON). */
  readonly line?: number;
  /**
   * `source`: the file gave the key; `mapping`: the importer was told; `similarity`: paired with
   * the previous version's activity by section and title; `new`: no counterpart, a new key.
   */
  readonly by: 'source' | 'mapping' | 'similarity' | 'new';
  readonly previousKey?: string;
  readonly previousTitle?: string;
  /** Similarity score with the previous activity (0..1), where there is one. */
  readonly score?: number;
}

/** Below this score two activities are different activities (a remove and an add). */
export const MATCH_THRESHOLD = 0.5;

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  const t = ` ${s} `;
  for (let i = 0; i < t.length - 1; i++) {
    const g = t.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

function dice<T>(a: Map<T, number>, b: Map<T, number>): number {
  let common = 0;
  let total = 0;
  for (const [k, n] of a) {
    common += Math.min(n, b.get(k) ?? 0);
    total += n;
  }
  for (const n of b.values()) total += n;
  return total === 0 ? 1 : (2 * common) / total;
}

const words = (s: string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const w of s.split(' ').filter(Boolean)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
};

/** Title similarity 0..1: the mean of word overlap and character-pair overlap (Dice), on normalised text. */
export function titleSimilarity(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  if (x === y) return 1;
  return (dice(words(x), words(y)) + dice(bigrams(x), bigrams(y))) / 2;
}

/** Score of a pair: mostly the title; the same section (by key or by title) adds the rest. */
export function matchScore(a: MatchItem, b: MatchItem): number {
  const sameSection = a.section === b.section || normalize(a.sectionTitle) === normalize(b.sectionTitle) ? 1 : 0;
  return Math.round((0.85 * titleSimilarity(a.title, b.title) + 0.15 * sameSection) * 1000) / 1000;
}

/**
 * Pairs activities of two lists by similarity, best pairs first (ties: the nearer position),
 * each activity at most once, only pairs scoring at least MATCH_THRESHOLD.
 */
export function pairBySimilarity(from: readonly MatchItem[], to: readonly MatchItem[], threshold = MATCH_THRESHOLD): Pair[] {
  const candidates: (Pair & { distance: number })[] = [];
  from.forEach((a, i) =>
    to.forEach((b, j) => {
      const score = matchScore(a, b);
      if (score >= threshold) candidates.push({ from: i, to: j, score, distance: Math.abs(i / from.length - j / to.length) });
    }),
  );
  candidates.sort((p, q) => q.score - p.score || p.distance - q.distance || p.from - q.from);
  const usedFrom = new Set<number>();
  const usedTo = new Set<number>();
  const pairs: Pair[] = [];
  for (const c of candidates) {
    if (usedFrom.has(c.from) || usedTo.has(c.to)) continue;
    usedFrom.add(c.from);
    usedTo.add(c.to);
    pairs.push({ from: c.from, to: c.to, score: c.score });
  }
  return pairs.sort((p, q) => p.to - q.to);
}

/** The fields of a catalog that a diff compares (a CatalogDefinition has them). */
export interface DiffableCatalog {
  readonly parties: readonly string[];
  readonly sections: readonly { readonly key: string; readonly title: string }[];
  readonly activities: readonly {
    readonly key: string;
    readonly section: string;
    readonly title: string;
    readonly phase: string;
    readonly cadence: string | null;
    readonly raci: Readonly<Record<string, string>>;
  }[];
}

export interface Change<T> {
  readonly before: T;
  readonly after: T;
}

export interface ActivityChanges {
  readonly title?: Change<string>;
  readonly section?: Change<string>;
  readonly phase?: Change<string>;
  readonly cadence?: Change<string | null>;
  /** Per party whose letters changed. */
  readonly raci?: Readonly<Record<string, Change<string>>>;
}

export interface DiffActivity {
  readonly key: string;
  readonly section: string;
  readonly title: string;
  readonly phase: string;
  readonly raci: Readonly<Record<string, string>>;
}

export interface ActivityMatchEntry {
  readonly fromKey: string;
  readonly toKey: string;
  readonly score: number;
  /** `key`: the same key in both versions; `similarity`: paired by section and title. */
  readonly by: 'key' | 'similarity';
}

export interface ChangedActivity extends ActivityMatchEntry {
  readonly changes: ActivityChanges;
}

export interface CatalogDiff {
  readonly added: DiffActivity[];
  readonly removed: DiffActivity[];
  readonly changed: ChangedActivity[];
  /** Every pair of activities taken as the same activity, changed or not, with its score. */
  readonly matches: ActivityMatchEntry[];
}

/**
 * What changed from one catalog version to another. Activities with the same key are the same
 * activity; the others are paired by section and title similarity (a reworded title is a
 * change, not a removal and an addition). Pure: the API's diff and the importer share it.
 */
export function diffCatalogs(from: DiffableCatalog, to: DiffableCatalog): CatalogDiff {
  const items = (c: DiffableCatalog): MatchItem[] =>
    c.activities.map((a) => ({
      section: a.section,
      sectionTitle: c.sections.find((s) => s.key === a.section)?.title ?? '',
      title: a.title,
    }));
  const fromItems = items(from);
  const toItems = items(to);
  const pairs: ActivityMatchEntry[] = [];
  const usedFrom = new Set<number>();
  const usedTo = new Set<number>();
  const fromIndex = new Map(from.activities.map((a, i) => [a.key, i]));
  to.activities.forEach((b, j) => {
    const i = fromIndex.get(b.key);
    if (i === undefined) return;
    usedFrom.add(i);
    usedTo.add(j);
    pairs.push({ fromKey: b.key, toKey: b.key, score: matchScore(fromItems[i] as MatchItem, toItems[j] as MatchItem), by: 'key' });
  });
  const restFrom = fromItems.map((x, i) => ({ x, i })).filter(({ i }) => !usedFrom.has(i));
  const restTo = toItems.map((x, j) => ({ x, j })).filter(({ j }) => !usedTo.has(j));
  for (const p of pairBySimilarity(
    restFrom.map((r) => r.x),
    restTo.map((r) => r.x),
  )) {
    const i = (restFrom[p.from] as { i: number }).i;
    const j = (restTo[p.to] as { j: number }).j;
    usedFrom.add(i);
    usedTo.add(j);
    pairs.push({
      fromKey: (from.activities[i] as { key: string }).key,
      toKey: (to.activities[j] as { key: string }).key,
      score: p.score,
      by: 'similarity',
    });
  }
  const byKey = <T extends { key: string }>(list: readonly T[]): Map<string, T> => new Map(list.map((a) => [a.key, a]));
  const fromByKey = byKey(from.activities);
  const toByKey = byKey(to.activities);
  const parties = [...new Set([...from.parties, ...to.parties])];
  const changed: ChangedActivity[] = [];
  for (const p of pairs) {
    const a = fromByKey.get(p.fromKey);
    const b = toByKey.get(p.toKey);
    if (!a || !b) continue;
    const changes: Record<string, unknown> = {};
    if (a.title !== b.title) changes.title = { before: a.title, after: b.title };
    if (a.section !== b.section) changes.section = { before: a.section, after: b.section };
    if (a.phase !== b.phase) changes.phase = { before: a.phase, after: b.phase };
    if (a.cadence !== b.cadence) changes.cadence = { before: a.cadence, after: b.cadence };
    const raci: Record<string, Change<string>> = {};
    for (const party of parties) {
      const before = a.raci[party] ?? '';
      const after = b.raci[party] ?? '';
      if (before !== after) raci[party] = { before, after };
    }
    if (Object.keys(raci).length > 0) changes.raci = raci;
    if (Object.keys(changes).length > 0) changed.push({ ...p, changes });
  }
  const view = (a: DiffableCatalog['activities'][number]): DiffActivity => ({
    key: a.key,
    section: a.section,
    title: a.title,
    phase: a.phase,
    raci: a.raci,
  });
  return {
    added: to.activities.filter((_, j) => !usedTo.has(j)).map(view),
    removed: from.activities.filter((_, i) => !usedFrom.has(i)).map(view),
    changed: changed.sort((x, y) => order(to, x.toKey) - order(to, y.toKey)),
    matches: pairs.sort((x, y) => order(to, x.toKey) - order(to, y.toKey)),
  };
}

const order = (c: DiffableCatalog, key: string): number => c.activities.findIndex((a) => a.key === key);
