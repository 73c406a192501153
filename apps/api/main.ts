import 'reflect-metadata';
import { runProcess } from '../runtime/lifecycle';
import { start } from '../runtime/start';

// `npm run start:api`: the HTTP api alone; run several behind a load balancer.
runProcess('dutybook-api', (config, logger, fatal) => start(config, logger, { api: true, worker: false }, fatal));
