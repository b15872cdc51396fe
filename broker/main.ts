// `tributary broker start`: load config, start the broker, stop cleanly on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError, loadBrokerConfig } from './config/broker-config.js';
import { createLogger } from './io/logger.js';
import { Broker } from './server/broker.js';

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
