import type { BenchDatabase, Json } from './scenario';

/** Parent -> server child, first message: what to serve. */
export interface StartMessage {
  readonly type: 'start';
  readonly db: BenchDatabase;
  readonly poolSize: number;
  /** A scratch folder of the run (the app's DATA_DIR). */
  readonly dataDir: string;
  /** Baseline child only: the module exporting `createBaseline`, and the setup hook's state. */
  readonly baseline?: { readonly module: string; readonly state: Json };
}

/** Parent -> server child, any time after ready: report your CPU time. */
export interface UsageRequest {
  readonly type: 'usage';
}

/** CPU time the child process used since it started, in microseconds (process.cpuUsage()). */
export interface CpuUsage {
  readonly user: number;
  readonly system: number;
}

/** Server child -> parent. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | ({ readonly type: 'usage' } & CpuUsage);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function isStartMessage(value: unknown): value is StartMessage {
  return (
    isRecord(value) &&
    value.type === 'start' &&
    isRecord(value.db) &&
    typeof value.poolSize === 'number' &&
    typeof value.dataDir === 'string'
  );
}

export function isUsageRequest(value: unknown): value is UsageRequest {
  return isRecord(value) && value.type === 'usage';
}

export function isChildMessage(value: unknown): value is ChildMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
      return typeof value.port === 'number';
    case 'failed':
      return typeof value.message === 'string';
    case 'usage':
      return typeof value.user === 'number' && typeof value.system === 'number';
    default:
      return false;
  }
}
