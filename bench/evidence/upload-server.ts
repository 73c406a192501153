import { serveApp } from '../servers/serve-app';
import { serveChild } from '../servers/serve-child';

/** Largest upload the bench sends is 200 MiB; the app's limit is above it. */
export const BENCH_MAX_BYTES = 256 * 1024 * 1024;

// The real api with the default (filesystem) evidence storage under the run's folder, configured
// as in production, on a free loopback port.
serveChild((start) => serveApp(start, 'bench-evidence', { EVIDENCE_MAX_BYTES: String(BENCH_MAX_BYTES) }));
