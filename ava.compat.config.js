// ava config for the third-party-client compat suite (test/compat/*.compat.test.ts).
// These tests spawn real clients against a running broker: COMPAT_BOOTSTRAP (default localhost:9092).
// Tools come from scripts/setup-compat.sh. One file at a time: each spawns JVMs and the machine is small.
export default {
  files: ['test/compat/**/*.compat.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  // Child processes, not worker threads: with a separate config file ava does not apply
  // nodeArguments (--import=tsx) to worker threads, and .ts files then fail to load.
  workerThreads: false,
  concurrency: 1,
  timeout: '5m',
  verbose: true,
};
