// Starts a real Tributary broker as a child process on free loopback ports, the way a user would
// (`tributary broker start --override ...`), and stops it by signal. Integration tests talk to it
// over TCP with third-party clients only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BrokerProcess {
  readonly kafkaPort: number;
  readonly httpPort: number;
  readonly bootstrap: string;
  readonly dataDir: string;
  readonly output: () => string;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same ports and data directory. */
  restart(): Promise<void>;
  /** Remove the data directory (after stop). */
  cleanup(): void;
}

export interface StartOptions {
  readonly overrides?: readonly string[];
  readonly dataDir?: string;
  readonly startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startBroker(options: StartOptions = {}): Promise<BrokerProcess> {
  const kafkaPort = await freePort();
  const httpPort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-it-'));
  let child: ChildProcess | undefined;
  let log = '';
  const args = [
    '--import',
    'tsx',
    join(root, 'cli', 'main.ts'),
    'broker',
    'start',
    '--override',
    `listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`,
    '--override',
    `log.dirs=${dataDir}`,
    '--override',
    `tributary.http.listener=http://127.0.0.1:${httpPort}`,
    '--override',
    'group.initial.rebalance.delay.ms=0',
    ...(options.overrides ?? []).flatMap((o) => ['--override', o]),
  ];

  const launch = async (): Promise<void> => {
    const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitReady(httpPort, options.startTimeoutMs ?? 30_000, () => proc.exitCode, () => log);
  };

  const waitExit = (signal: NodeJS.Signals): Promise<number | null> =>
    new Promise((resolve) => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve(proc?.exitCode ?? null);
      proc.once('exit', (code) => resolve(code));
      proc.kill(signal);
    });

  await launch();
  return {
    kafkaPort,
    httpPort,
    bootstrap: `127.0.0.1:${kafkaPort}`,
    dataDir,
    output: () => log,
    stop: () => waitExit('SIGTERM'),
    kill: async () => {
      await waitExit('SIGKILL');
    },
    restart: launch,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function waitReady(
  httpPort: number,
  timeoutMs: number,
  exitCode: () => number | null,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode() !== null) throw new Error(`broker exited with ${exitCode()} during start:\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`broker not ready within ${timeoutMs} ms:\n${output()}`);
}
