/**
 * `tributary console-consumer`: print records of a topic (Kafka's `kafka-console-consumer.sh`).
 * Stops after `--max-messages`, after `--timeout-ms` without a new record, or on SIGINT/SIGTERM;
 * in every case it commits (with `--group`), leaves the group, prints "Processed a total of N
 * messages" to stderr and exits 0.
 */
import { Consumer, type ConsumerOptions } from '../../broker/client/consumer.js';
import { helpText, parseArgs, parseKeyValues, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { withClient, type CliIo } from '../common.js';
import { formatRecord, recordFormatFromProperties, type RecordFormat } from '../format.js';

export const consoleConsumerSpec: CommandSpec = {
  name: 'console-consumer',
  summary: 'Print the records of a topic to standard output.',
  usage: 'tributary console-consumer --bootstrap-server <host:port> --topic <topic> [options]',
  flags: [
    { name: 'bootstrap-server', kind: 'string', valueName: 'host:port', description: 'Broker(s) to connect to (comma-separated).' },
    { name: 'topic', kind: 'string', valueName: 'topic', description: 'Topic to read.' },
    { name: 'group', kind: 'string', valueName: 'group', description: 'Consumer group to join (offsets are committed).' },
    { name: 'from-beginning', kind: 'boolean', description: 'Start at the earliest offset when there is no committed offset.' },
    { name: 'partition', kind: 'string', valueName: 'n', description: 'Read only this partition (without --group).' },
    { name: 'max-messages', kind: 'string', valueName: 'n', description: 'Exit after printing this many records.' },
    { name: 'timeout-ms', kind: 'string', valueName: 'ms', description: 'Exit when no record arrived for this long.' },
    { name: 'property', kind: 'list', valueName: 'key=value', description: 'print.key, print.value, print.timestamp, print.partition, print.offset, key.separator, line.separator, null.literal.' },
    { name: 'consumer-property', kind: 'list', valueName: 'key=value', description: 'group.id, auto.offset.reset, enable.auto.commit, client.id.' },
    { name: 'help', kind: 'boolean', description: 'Show this help.' },
  ],
};

export interface ConsumerPlan {
  topic: string;
  consumer: ConsumerOptions;
  clientId: string;
  format: RecordFormat;
  maxMessages: number | null;
  timeoutMs: number | null;
}

/** Validates flags and properties (pure). */
export function planConsumer(args: ParsedArgs): ConsumerPlan {
  const topic = args.requireString('topic');
  const props = parseKeyValues(args.list('consumer-property'), 'consumer property');
  let format: RecordFormat;
  try {
    format = recordFormatFromProperties(parseKeyValues(args.list('property'), 'property'));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const groupId = args.string('group') ?? props['group.id'] ?? null;
  const reset = props['auto.offset.reset'] ?? (args.has('from-beginning') ? 'earliest' : 'latest');
  if (reset !== 'earliest' && reset !== 'latest') throw new UsageError(`Invalid auto.offset.reset '${reset}': expected earliest or latest`);
  const partition = args.int('partition');
  if (partition !== undefined && groupId !== null) throw new UsageError('Options --partition and --group cannot be used together');
  const consumer: ConsumerOptions = { topics: [topic], groupId, autoOffsetReset: reset };
  if (partition !== undefined) consumer.partitions = [partition];
  if (props['enable.auto.commit'] === 'false') consumer.autoCommit = false;
  const maxMessages = args.int('max-messages') ?? null;
  const timeoutMs = args.int('timeout-ms') ?? null;
  if (maxMessages !== null && maxMessages < 1) throw new UsageError('Option --max-messages must be at least 1');
  if (timeoutMs !== null && timeoutMs < 0) throw new UsageError('Option --timeout-ms must not be negative');
  if (timeoutMs !== null) consumer.maxWaitMs = Math.max(10, Math.min(500, timeoutMs));
  return { topic, consumer, clientId: props['client.id'] ?? 'console-consumer', format, maxMessages, timeoutMs };
}

export async function runConsoleConsumer(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, consoleConsumerSpec);
  if (args.has('help')) {
    io.out(helpText(consoleConsumerSpec));
    return 0;
  }
  const plan = planConsumer(args);
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let count = 0;
  try {
    await withClient(args, plan.clientId, async (client) => {
      const consumer = new Consumer(client, plan.consumer);
      try {
        let lastRecordMs = Date.now();
        while (!stop) {
          const records = await consumer.poll();
          const rewound = new Set<string>();
          for (const r of records) {
            if (plan.maxMessages !== null && count >= plan.maxMessages) {
              // Not printed: rewind so the group's committed offset does not pass it.
              const key = `${r.partition}`;
              if (!rewound.has(key)) consumer.seek(r.topic, r.partition, r.offset);
              rewound.add(key);
              continue;
            }
            io.out(formatRecord(r, plan.format));
            count++;
          }
          if (records.length > 0) lastRecordMs = Date.now();
          if (plan.maxMessages !== null && count >= plan.maxMessages) break;
          if (plan.timeoutMs !== null && Date.now() - lastRecordMs >= plan.timeoutMs) break;
        }
      } finally {
        await consumer.close();
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.err(`Processed a total of ${count} messages\n`);
  }
  return 0;
}
