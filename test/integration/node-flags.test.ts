// The node flag the broker ships with (bin/tributary.js's `env -S` shebang): run as the image and
// the operator run it (the file itself is the command, so the kernel reads the shebang), the broker
// gets --initial-old-space-size and says nothing; run by plain `node` without it, the broker warns
// with what to do. `npm start` passes the same flags.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shippedNodeFlags } from '../../tools/node-flags.js';
import { freePort } from '../helpers/broker-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'tributary.js');
const WARNING = /node runs without --initial-old-space-size/;

/** Starts a broker with `command`, returns its output once it is ready, and stops it. */
async function startupOutput(command: string, args: readonly string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-node-flags-'));
  try {
    const [port, controllerPort, httpPort] = [await freePort(), await freePort(), await freePort()];
    const overrides = [
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      `log.dirs=${join(dir, 'data')}`,
      `tributary.http.listener=http://127.0.0.1:${httpPort}`,
    ];
    const child = spawn(command, [...args, 'broker', 'start', ...overrides.flatMap((o) => ['--override', o])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    while (!/ready in \d+ ms/.test(output) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exited;
    if (!/ready in \d+ ms/.test(output)) throw new Error(`broker did not start:\n${output}`);
    return output;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the tributary command runs node with --initial-old-space-size; plain node without it gets a warning saying what to do', async (t) => {
  const asCommand = await startupOutput(bin, []);
  t.notRegex(asCommand, WARNING);
  const plainNode = await startupOutput(process.execPath, [bin]);
  t.regex(plainNode, WARNING);
  t.regex(plainNode, /bin\/tributary\.js passes --initial-old-space-size=64/);
});

test('npm start passes the flags of the shebang', (t) => {
  const shebangFlags = shippedNodeFlags();
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start']!;
  t.true(shebangFlags.length > 0);
  for (const flag of shebangFlags) t.true(start.split(' ').includes(flag), `npm start lacks ${flag}`);
});
