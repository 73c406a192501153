import { serveApp } from '../servers/serve-app';
import { serveChild } from '../servers/serve-child';

// The real api (no background jobs: the worker runs in its own process), filesystem evidence
// storage under the run's folder, shared with the worker child.
serveChild((start) => serveApp(start, 'bench-exports-api'));
