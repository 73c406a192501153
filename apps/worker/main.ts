import 'reflect-metadata';
import { runProcess } from '../runtime/lifecycle';
import { start } from '../runtime/start';

// `npm run start:worker`: background jobs alone, against the same DATABASE_URL as the api.
runProcess('dutybook-worker', (config, logger, fatal) => start(config, logger, { api: false, worker: true }, fatal));
