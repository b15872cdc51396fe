// What `npm run build` ships, run the way the image runs it: tools/build.ts bundles the CLI into a
// temporary directory, then plain node (no tsx) runs that bundle as a broker and as the console
// clients. Protects what only the bundle can get wrong: the bundled npm packages (fastify,
// prom-client) working from one file, and the native addons loading from node_modules outside it
// (records go through every codec, compressed by the producer and read back by the consumer).
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundles } from '../../tools/build.js';
import { freePort } from '../helpers/broker-process.js';
import { runNode, type NodeRun } from '../helpers/run-node.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(bundle: string, args: readonly string[], stdin = ''): Promise<NodeRun> {
  return runNode(bundle, args, { cwd: root, stdin });
}

async function waitReady(httpPort: number, broker: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (broker.exitCode !== null) throw new Error(`bundled broker exited with ${broker.exitCode}:\n${output()}`);
    const status = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`bundled broker not ready within 30 s:\n${output()}`);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

test('the built bundle runs a broker with HTTP and round-trips records through every codec', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'tributary-build-test-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const outDir = join(work, 'dist');
  const { tributary } = buildBundles(outDir);
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
  t.regex(readFileSync(tributary, 'utf8'), /\/\/# sourceMappingURL=tributary\.mjs\.map\s*$/);

  const [kafkaPort, httpPort] = [await freePort(), await freePort()];
  const overrides = [
    `listeners=PLAINTEXT://127.0.0.1:${kafkaPort}`,
    `log.dirs=${join(work, 'data')}`,
    `tributary.http.listener=http://127.0.0.1:${httpPort}`,
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.num.partitions=1',
  ];
  const broker = spawn(process.execPath, [tributary, 'broker', 'start', ...overrides.flatMap((o) => ['--override', o])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  broker.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  broker.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  t.teardown(() => void broker.kill('SIGKILL'));
  await waitReady(httpPort, broker, () => log);

  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  t.regex(metrics, /^tributary_partitions \d+$/m);
  t.regex(metrics, /^process_cpu_seconds_total /m);

  const bs = ['--bootstrap-server', `127.0.0.1:${kafkaPort}`];
  const created = await run(tributary, ['topics', ...bs, '--create', '--topic', 'bundled', '--partitions', '1']);
  t.is(created.code, 0, created.stderr);
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  for (const codec of codecs) {
    const produced = await run(tributary, ['console-producer', ...bs, '--topic', 'bundled', '--compression-codec', codec], `${codec}-1\n${codec}-2\n`);
    t.is(produced.code, 0, `${codec}: ${produced.stderr}`);
  }
  const consumed = await run(tributary, ['console-consumer', ...bs, '--topic', 'bundled', '--from-beginning', '--max-messages', String(codecs.length * 2)]);
  t.is(consumed.code, 0, consumed.stderr);
  t.deepEqual(consumed.stdout.trim().split('\n'), codecs.flatMap((c) => [`${c}-1`, `${c}-2`]));

  broker.kill('SIGTERM');
  t.is(await exitOf(broker), 0, log);
});
