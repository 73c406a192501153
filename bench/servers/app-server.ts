import { serveApp } from './serve-app';
import { serveChild } from './serve-child';

// The real api, as in production, on a free loopback port.
serveChild((start) => serveApp(start, 'bench-app'));
