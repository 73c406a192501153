import type { FastifyInstance } from 'fastify';

/** A JSON value: what a setup hook may hand to the requests and, over IPC, to the baseline. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Where the bench database lives. The app and the baseline both connect as `appUrl`. */
export interface BenchDatabase {
  /** The non-owner role the api runs as (row-level security binds it). */
  readonly appUrl: string;
  /** Owner of the schema: migrations and seeds ran as it. */
  readonly ownerUrl: string;
  /** Superuser on the bench database, for setup hooks that act behind the app's back. */
  readonly adminUrl: string;
  readonly appRole: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request of a scenario; several are sent in turn by every connection. */
export interface BenchRequest {
  readonly method: HttpMethod;
  /** Path and query, e.g. `/api/v1/catalogs`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Status every response must have (default 200), checked on the first response and on the run. */
  readonly expectStatus?: number;
}

/** What a baseline factory is given in its child process. */
export interface BaselineContext<S extends Json = null> {
  readonly db: BenchDatabase;
  /** Same pool size as the app's DATABASE_POOL_SIZE. */
  readonly poolSize: number;
  /** What the scenario's setup hook returned (null without one). */
  readonly state: S | null;
}

/**
 * Builds the raw baseline: a bare Fastify doing the same SQL and the same response shaping as
 * the app, not yet listening (the child listens on a free loopback port and closes it at the
 * end; close the pool in an onClose hook). A baseline module exports it as `createBaseline`.
 */
export type BaselineFactory<S extends Json = null> = (context: BaselineContext<S>) => Promise<FastifyInstance>;

/** The first response of a server, checked before it is measured. */
export interface ProbeResponse {
  readonly status: number;
  /** Parsed JSON when the response is JSON, else the text. */
  readonly body: unknown;
}

export interface Scenario<S extends Json = null> {
  /** Short name, printed in the report. */
  readonly name: string;
  /** The app must reach at least this fraction of the baseline's requests/s (e.g. 0.5). */
  readonly targetRatio: number;
  /**
   * Absolute path of the compiled module exporting `createBaseline: BaselineFactory<S>`; it is
   * loaded in the baseline child process only (`require.resolve('./x.baseline')`).
   */
  readonly baselineModule: string;
  /** Runs once on the fresh, migrated and seeded database, before any server starts. */
  readonly setup?: (db: BenchDatabase) => Promise<S>;
  /** The request(s) sent to both servers. */
  readonly requests: (state: S | null) => readonly BenchRequest[];
  /**
   * Compares the first responses of app and baseline to the first request; returns the
   * differences (empty when the two did equivalent work). Runs before the baseline is measured.
   */
  readonly compare?: (app: ProbeResponse, baseline: ProbeResponse) => string[];
  /**
   * "Cost follows the page, not the table": the app is first measured on a small data set
   * (`setup`), then `grow` enlarges it and the usual rounds run; the app's p50 on the large set
   * must stay within `maxP50Ratio` of its p50 on the small one.
   */
  readonly scale?: {
    readonly grow: (db: BenchDatabase, state: S | null) => Promise<S>;
    readonly maxP50Ratio: number;
    readonly smallLabel: string;
    readonly largeLabel: string;
  };
}
