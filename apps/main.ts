import 'reflect-metadata';
import { runProcess } from './runtime/lifecycle';
import { start } from './runtime/start';

// `npm start`: api and worker in one process (the embedded default).
runProcess('dutybook', (config, logger, fatal) => start(config, logger, { api: true, worker: true }, fatal));
