// ava config for the operator's Kubernetes suite (test/k8s/**/*.k8s.test.ts): `npm run test:k8s`.
// Each test file starts its own etcd + kube-apiserver on loopback (test/k8s/control-plane.ts) from
// binaries built by scripts/setup-k8s.sh (`npm run setup:k8s`); without them the tests fail and name
// that command. One file at a time: an API server takes ~0.5 GiB and most of a core while starting.
export default {
  files: ['test/k8s/**/*.k8s.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  // Child processes, not worker threads: with a separate config file ava does not apply
  // nodeArguments (--import=tsx) to worker threads, and .ts files then fail to load. A child
  // process also lets control-plane.ts clean up on SIGTERM and its watchdog see the test exit.
  workerThreads: false,
  concurrency: 1,
  timeout: '5m',
  verbose: true,
};
