// A real broker inside the test process, listening on an ephemeral loopback port, for fast
// protocol tests with real clients (kafkajs) over TCP. Child-process tests (restart, kill -9,
// SIGTERM) use broker-process.ts instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '../../broker/config/broker-config.js';
import { silentLogger, type Logger } from '../../broker/io/logger.js';
import { Broker } from '../../broker/server/broker.js';

export interface TestBroker {
  readonly broker: Broker;
  readonly bootstrap: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(
  options: { overrides?: readonly string[]; dataDir?: string; logger?: Logger } = {},
): Promise<TestBroker> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-test-'));
  const config = loadBrokerConfig({
    overrides: [
      'listeners=PLAINTEXT://127.0.0.1:0',
      `log.dirs=${dataDir}`,
      'tributary.http.listener=',
      'group.initial.rebalance.delay.ms=0',
      'offsets.topic.num.partitions=3',
      ...(options.overrides ?? []),
    ],
    env: {},
  });
  const broker = await Broker.start({ config, logger: options.logger ?? silentLogger });
  const port = broker.boundPort('PLAINTEXT')!;
  return {
    broker,
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    async stop() {
      await broker.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
