/**
 * A real Kubernetes control plane for the operator's tests: etcd and kube-apiserver as child
 * processes, built by `scripts/setup-k8s.sh` (controller-runtime's envtest is the model; no kubelet,
 * no controller-manager, so no pod ever starts).
 *
 * Contract:
 * - Binds 127.0.0.1 only: etcd's client and peer URLs and the API server's secure port are loopback
 *   ports picked free at start. `--service-cluster-ip-range` is only an allocation range stored in
 *   etcd; nothing here routes to or connects to it.
 * - Auth: a static token for user `tributary-admin` in `system:masters`, `--authorization-mode=RBAC`
 *   (so RBAC manifests are exercised), the API server's own self-signed serving cert (`--cert-dir`),
 *   an ECDSA service-account signing key. Admission: the defaults minus ServiceAccount (no token
 *   controller runs).
 * - Everything lives in one temp dir (etcd data, certs, keys, token file, logs, kubeconfig) that
 *   `stop()` removes after killing both processes. `stop()` is idempotent and safe after a failed
 *   start; a start that fails cleans up before it throws; process exit and SIGINT/SIGTERM clean up;
 *   and a shell watchdog kills the processes and removes the dir if the test process dies by SIGKILL.
 *   `TRIBUTARY_K8S_KEEP=1` keeps the dir (logs) for debugging.
 * - Missing binaries are an error naming the setup command, never a skip.
 *
 * Env: TRIBUTARY_K8S_BIN (a directory with etcd, kube-apiserver, kubectl[, helm]) or
 *      TRIBUTARY_CACHE + K8S_VERSION (as scripts/setup-k8s.sh uses them);
 *      TRIBUTARY_K8S_START_TIMEOUT_MS (default 120000: a loaded 2-core machine is slow).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, appendFileSync, accessSync, constants } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SETUP_SCRIPT = 'scripts/setup-k8s.sh';
const SETUP_COMMAND = 'npm run setup:k8s';
const LOOPBACK = '127.0.0.1';
const ADMIN_USER = 'tributary-admin';
const STOP_GRACE_MS = 5_000;

export interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig (context `tributary-test`, namespace `default`) for kubectl and client-node. */
  readonly kubeconfigPath: string;
  /** Bearer token of the admin user (system:masters). */
  readonly token: string;
  /** PEM bundle that verifies the API server's serving certificate. */
  readonly caPem: string;
  readonly binDir: string;
  readonly workDir: string;
  /** Runs the real kubectl against this API server; never throws on a non-zero exit. */
  kubectl(args: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Like `kubectl`, but a non-zero exit throws with kubectl's stderr; resolves to stdout. */
  kubectlOk(args: readonly string[], input?: string): Promise<string>;
  /** Kills etcd and kube-apiserver and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  readonly binDir?: string;
  readonly startTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Binaries

/** The Kubernetes version scripts/setup-k8s.sh builds by default, read from the script itself. */
export function defaultK8sVersion(): string {
  const script = readFileSync(join(REPO_ROOT, SETUP_SCRIPT), 'utf8');
  const match = /K8S_VERSION="\$\{K8S_VERSION:-([0-9.]+)\}"/.exec(script);
  if (!match?.[1]) throw new Error(`cannot find the default K8S_VERSION in ${SETUP_SCRIPT}`);
  return match[1];
}

export function k8sBinDir(): string {
  const explicit = process.env['TRIBUTARY_K8S_BIN'];
  if (explicit) return explicit;
  const cache = process.env['TRIBUTARY_CACHE'] ?? join(homedir(), '.cache', 'tributary');
  const version = process.env['K8S_VERSION'] ?? defaultK8sVersion();
  return join(cache, `k8s-${version}`, 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws, naming the setup command, unless every binary is in binDir. */
export function requireBinaries(binDir: string, names: readonly string[] = ['etcd', 'kube-apiserver', 'kubectl']): void {
  const missing = names.filter((name) => !isExecutable(join(binDir, name)));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')} in ${binDir}: build them with \`${SETUP_COMMAND}\` (${SETUP_SCRIPT})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Small I/O helpers

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

function httpsGet(url: string, caPem: string, token: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function httpGetStatus(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.status;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/** Spawns a binary with its output in `<workDir>/<name>.log`; registers it before anything can fail. */
function launch(name: string, binary: string, args: string[], workDir: string, registry: Started[]): Started {
  const logFile = join(workDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(binary, args, { cwd: workDir, stdio: ['ignore', fd, fd] });
    child.on('error', () => {}); // reported through the exit code / readiness wait
    if (child.pid !== undefined) appendFileSync(join(workDir, 'pids'), `${child.pid}\n`);
    const started = { name, child, logFile };
    registry.push(started);
    return started;
  } finally {
    closeSync(fd);
  }
}

function hasExited(started: Started): boolean {
  return started.child.exitCode !== null || started.child.signalCode !== null;
}

async function terminate(started: Started): Promise<void> {
  if (hasExited(started)) return;
  const exited = new Promise<void>((resolve) => started.child.once('exit', () => resolve()));
  started.child.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!graceful && !hasExited(started)) {
    started.child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Kills the children and removes workDir if this process dies without running its handlers
 * (SIGKILL, a crash of the runner). Polls the parent once a second; killed by `stop()`.
 */
function startWatchdog(workDir: string): ChildProcess {
  const script = [
    'parent="$1"; dir="$2"',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    '[ -f "$dir/pids" ] && while read -r pid; do kill -9 "$pid" 2>/dev/null; done < "$dir/pids"',
    'rm -rf "$dir"',
  ].join('\n');
  const child = spawn('sh', ['-c', script, 'watchdog', String(process.pid), workDir], { stdio: 'ignore' });
  child.on('error', () => {});
  return child;
}

// ---------------------------------------------------------------------------------------------
// Files: keys, token, kubeconfig

interface Files {
  readonly certDir: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly tokenFile: string;
  readonly token: string;
}

function writeAuthFiles(workDir: string): Files {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serviceAccountKey = join(workDir, 'sa.key');
  const serviceAccountPub = join(workDir, 'sa.pub');
  writeFileSync(serviceAccountKey, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }));
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(workDir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
  return { certDir: join(workDir, 'certs'), serviceAccountKey, serviceAccountPub, tokenFile, token };
}

function writeKubeconfig(path: string, server: string, caPem: string, token: string): void {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tributary-test', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: ADMIN_USER, user: { token } }],
    contexts: [{ name: 'tributary-test', context: { cluster: 'tributary-test', user: ADMIN_USER, namespace: 'default' } }],
    'current-context': 'tributary-test',
  };
  writeFileSync(path, dump(kubeconfig), { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// etcd and kube-apiserver

async function startEtcd(binDir: string, workDir: string, registry: Started[], deadlineMs: number): Promise<string> {
  const clientPort = await freeLoopbackPort();
  const peerPort = await freeLoopbackPort();
  const url = `http://${LOOPBACK}:${clientPort}`;
  const peer = `http://${LOOPBACK}:${peerPort}`;
  const started = launch('etcd', join(binDir, 'etcd'), [
    '--name=tributary-test',
    `--data-dir=${join(workDir, 'etcd-data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=tributary-test=${peer}`,
    '--unsafe-no-fsync', // test data only: fsync on a shared 2-core machine costs seconds per test
    '--log-level=warn',
  ], workDir, registry);
  while ((await httpGetStatus(`${url}/health`)) !== 200) {
    if (hasExited(started)) throw new Error(`etcd exited (${started.child.exitCode ?? started.child.signalCode}):\n${tail(started.logFile, 30)}`);
    if (Date.now() > deadlineMs) throw new Error(`etcd not healthy in time:\n${tail(started.logFile, 30)}`);
    await sleep(100);
  }
  return url;
}

function apiServerArgs(port: number, etcdUrl: string, files: Files): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    `--bind-address=${LOOPBACK}`,
    `--advertise-address=${LOOPBACK}`,
    `--secure-port=${port}`,
    `--cert-dir=${files.certDir}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${files.serviceAccountPub}`,
    `--service-account-signing-key-file=${files.serviceAccountKey}`,
    `--token-auth-file=${files.tokenFile}`,
    '--authorization-mode=RBAC',
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
  ];
}

async function waitApiServerReady(started: Started, readyzUrl: string, certFile: string, token: string, deadlineMs: number): Promise<string> {
  let last = 'no answer yet';
  for (;;) {
    if (hasExited(started)) {
      throw new Error(`kube-apiserver exited (${started.child.exitCode ?? started.child.signalCode}):\n${tail(started.logFile, 40)}`);
    }
    if (Date.now() > deadlineMs) throw new Error(`kube-apiserver not ready in time (${last}):\n${tail(started.logFile, 40)}`);
    if (existsSync(certFile)) {
      const caPem = readFileSync(certFile, 'utf8');
      try {
        const answer = await httpsGet(readyzUrl, caPem, token);
        if (answer.status === 200) return caPem;
        last = `readyz ${answer.status}: ${answer.body.split('\n').filter((l) => l.includes('failed')).join('; ')}`;
      } catch (error) {
        last = String(error);
      }
    }
    await sleep(250);
  }
}

function runKubectl(binDir: string, kubeconfigPath: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      join(binDir, 'kubectl'),
      [...args],
      { env: { ...process.env, KUBECONFIG: kubeconfigPath }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

const running = new Set<() => void>();
let exitHooksInstalled = false;

/** Synchronous last-resort cleanup on process exit or SIGINT/SIGTERM. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const cleanup of running) cleanup();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const cleanup of running) cleanup();
      process.kill(process.pid, signal);
    });
  }
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = options.binDir ?? k8sBinDir();
  requireBinaries(binDir);
  const timeoutMs = options.startTimeoutMs ?? Number(process.env['TRIBUTARY_K8S_START_TIMEOUT_MS'] ?? 120_000);
  const deadlineMs = Date.now() + timeoutMs;
  const workDir = mkdtempSync(join(tmpdir(), 'tributary-k8s-'));
  const keep = process.env['TRIBUTARY_K8S_KEEP'] === '1';
  const processes: Started[] = [];
  const watchdog = keep ? undefined : startWatchdog(workDir);
  let stopped = false;

  const killNow = () => {
    for (const p of processes) if (!hasExited(p)) p.child.kill('SIGKILL');
    watchdog?.kill('SIGKILL');
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(killNow);
    // The API server first: it would otherwise log etcd connection errors while shutting down.
    for (const p of [...processes].reverse()) await terminate(p);
    watchdog?.kill('SIGKILL');
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  };
  installExitHooks();
  running.add(killNow);

  try {
    const files = writeAuthFiles(workDir);
    const etcdUrl = await startEtcd(binDir, workDir, processes, deadlineMs);
    const port = await freeLoopbackPort();
    const apiServer = launch('kube-apiserver', join(binDir, 'kube-apiserver'), apiServerArgs(port, etcdUrl, files), workDir, processes);
    const server = `https://${LOOPBACK}:${port}`;
    const caPem = await waitApiServerReady(apiServer, `${server}/readyz`, join(files.certDir, 'apiserver.crt'), files.token, deadlineMs);
    const kubeconfigPath = join(workDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, caPem, files.token);
    return {
      server,
      kubeconfigPath,
      token: files.token,
      caPem,
      binDir,
      workDir,
      kubectl: (args, kubectlOptions) => runKubectl(binDir, kubeconfigPath, args, kubectlOptions),
      kubectlOk: async (args, input) => {
        const result = await runKubectl(binDir, kubeconfigPath, args, input === undefined ? {} : { input });
        if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}`);
        return result.stdout;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `probe` until it yields a truthy value (errors count as "not yet"); throws after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
