/**
 * `tributary broker start [--config FILE | FILE] [--override key=value ...]`: a thin wrapper over
 * `runBroker` (broker/main.ts), which owns configuration, signals and shutdown. Like Kafka's
 * `kafka-server-start.sh`, the properties file may also be given as a positional argument.
 */
import { helpText, parseArgs, UsageError, type CommandSpec } from '../args.js';
import type { CliIo } from '../common.js';

export const brokerSpec: CommandSpec = {
  name: 'broker start',
  summary: 'Start a broker and run until SIGINT or SIGTERM.',
  usage: 'tributary broker start [--config <server.properties>] [--override key=value ...]',
  positionals: 'server.properties',
  flags: [
    { name: 'config', kind: 'string', valueName: 'file', description: 'server.properties file to load.' },
    { name: 'override', kind: 'list', valueName: 'key=value', description: 'Set a config key over the file; repeatable.' },
    { name: 'help', kind: 'boolean', description: 'Show this help.' },
  ],
};

export interface BrokerStartPlan {
  configFile?: string;
  overrides: string[];
}

/** Validates `broker start` arguments (pure); argv starts after `broker`. */
export function planBrokerStart(argv: readonly string[]): BrokerStartPlan | 'help' {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === undefined) return 'help';
  if (sub !== 'start') throw new UsageError(`Unknown broker subcommand '${sub}': expected 'start'`);
  const args = parseArgs(rest, brokerSpec);
  if (args.has('help')) return 'help';
  if (args.positionals.length > 1 || (args.positionals.length === 1 && args.has('config'))) {
    throw new UsageError('Give the config file once, either as --config FILE or as an argument');
  }
  for (const o of args.list('override')) {
    if (o.indexOf('=') <= 0) throw new UsageError(`Invalid override '${o}': expected key=value`);
  }
  const configFile = args.string('config') ?? args.positionals[0];
  return { ...(configFile === undefined ? {} : { configFile }), overrides: args.list('override') };
}

export async function runBrokerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const plan = planBrokerStart(argv);
  if (plan === 'help') {
    io.out(helpText(brokerSpec));
    return 0;
  }
  const { runBroker } = await import('../../broker/main.js');
  await runBroker(plan);
  return 0;
}
