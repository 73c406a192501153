/** @type {import('jest').Config} */
const api = {
  displayName: 'api',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/migrations', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/web/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
  // `npm run test:handles`: which test file leaves a handle that keeps a worker alive.
  ...(process.env.JEST_OPEN_HANDLES === '1' ? { testEnvironment: '<rootDir>/test/harness/open-handles.js' } : {}),
  // The embedded Postgres cluster: started only when a test of this project runs.
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
};

// The console's component tests: React in jsdom, compiled with the console's own tsconfig.
const web = {
  displayName: 'web',
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/apps/web/src'],
  testMatch: ['**/*.spec.tsx'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'apps/web/tsconfig.jest.json' }] },
  moduleFileExtensions: ['tsx', 'ts', 'js', 'json'],
  setupFiles: ['<rootDir>/apps/web/jest.setup.js'],
};

module.exports = {
  projects: [api, web],
  testTimeout: 30000,
  // Two cores: two workers, each test file on its own database.
  maxWorkers: 2,
  // A worker is replaced once its heap passes 1 GB after a test file. Every file loads Nest,
  // TypeORM and pg-boss into a module registry of its own, and a worker's heap kept growing to
  // 1.8-2 GB RSS over a full run; a process that big takes 250 ms to tear down after its event
  // loop is empty, and more on a busy machine, past the 500 ms jest allows before it force-exits
  // the worker with "A worker process has failed to exit gracefully" (no handle was open:
  // measured in the worker, its 'exit' came 1 ms after jest asked it to end). Measured: 2
  // replacements per run, 120-140 ms to exit, the full run 312 s against 370 s before.
  workerIdleMemoryLimit: '1GB',
};
