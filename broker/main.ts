// `tributary broker start`: load config, start the broker, stop cleanly on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError, loadBrokerConfig } from './config/broker-config.js';
import { createLogger } from './io/logger.js';
import { Broker } from './server/broker.js';

/** The V8 flag bin/tributary.js passes to node; see the comment there. */
const OLD_SPACE_FLAG = '--initial-old-space-size';

export interface RunBrokerOptions {
  readonly configFile?: string;
  readonly overrides: readonly string[];
}

/** Settles when the broker has stopped (after a signal); rejects if it cannot start. */
export async function runBroker(options: RunBrokerOptions): Promise<void> {
  const logger = createLogger();
  let file: string | undefined;
  if (options.configFile !== undefined) {
    try {
      file = readFileSync(options.configFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read config file ${options.configFile}: ${(error as Error).message}`);
    }
  }
  const config = loadBrokerConfig({
    ...(file === undefined ? {} : { file, fileName: basename(options.configFile!) }),
    overrides: [...options.overrides],
    env: process.env,
  });
  for (const warning of config.warnings) logger.warn(warning);
  if (!process.execArgv.some((a) => a.startsWith(`${OLD_SPACE_FLAG}=`))) {
    logger.warn(
      `node runs without ${OLD_SPACE_FLAG}: under heavy produce V8 then runs a full GC every ~60 ms (up to ~30 % less throughput). ` +
        `Start the broker with the tributary command (bin/tributary.js passes ${OLD_SPACE_FLAG}=64) or give node that flag (NODE_OPTIONS refuses it)`,
    );
  }
  const broker = await Broker.start({ config, logger });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal} received: closing listeners, answering in-flight requests, flushing logs`);
      broker.stop().then(resolve, (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
