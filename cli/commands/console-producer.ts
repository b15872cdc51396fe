/**
 * `tributary console-producer`: one record per stdin line (Kafka's `kafka-console-producer.sh`).
 * Lines are sent in order in small batches; at end of input every record is flushed and the
 * command exits 0. A failed send prints the error and exits 1.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Producer, type ProducerOptions, type ProducerRecord } from '../../broker/client/producer.js';
import { parseCompression } from '../../broker/protocol/compression.js';
import { helpText, parseArgs, parseKeyValues, UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { withClient, type CliIo } from '../common.js';
import { lineFormatFromProperties, parseLine, type LineFormat } from '../format.js';

export const consoleProducerSpec: CommandSpec = {
  name: 'console-producer',
  summary: 'Read lines from standard input and write each as a record to a topic.',
  usage: 'tributary console-producer --bootstrap-server <host:port> --topic <topic> [options]',
  flags: [
    { name: 'bootstrap-server', kind: 'string', valueName: 'host:port', description: 'Broker(s) to connect to (comma-separated).' },
    { name: 'topic', kind: 'string', valueName: 'topic', description: 'Topic to write to.' },
    { name: 'property', kind: 'list', valueName: 'key=value', description: 'parse.key, key.separator, null.marker; repeatable.' },
    { name: 'producer-property', kind: 'list', valueName: 'key=value', description: 'acks, enable.idempotence, compression.type; repeatable.' },
    { name: 'request-required-acks', kind: 'string', valueName: 'acks', description: 'Acknowledgements: all, -1, 0 or 1 (default all).' },
    { name: 'compression-codec', kind: 'string', valueName: 'codec', description: 'none, gzip, snappy, lz4 or zstd.' },
    { name: 'batch-size', kind: 'string', valueName: 'lines', description: 'Most lines per send (default 500).' },
    { name: 'help', kind: 'boolean', description: 'Show this help.' },
  ],
};

export interface ProducerPlan {
  topic: string;
  lines: LineFormat;
  producer: ProducerOptions;
  batchLinesMax: number;
}

/** Validates flags and properties (pure). */
export function planProducer(args: ParsedArgs): ProducerPlan {
  const topic = args.requireString('topic');
  let lines: LineFormat;
  try {
    lines = lineFormatFromProperties(parseKeyValues(args.list('property'), 'property'));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const props = parseKeyValues(args.list('producer-property'), 'producer property');
  const producer: ProducerOptions = {};
  const acks = args.string('request-required-acks') ?? props['acks'];
  if (acks !== undefined) producer.acks = parseAcks(acks);
  const codecName = args.string('compression-codec') ?? props['compression.type'];
  if (codecName !== undefined) {
    const codec = parseCompression(codecName);
    if (codec === undefined) throw new UsageError(`Unknown compression codec '${codecName}'`);
    producer.compression = codec;
  }
  if (props['enable.idempotence'] === 'true') producer.idempotent = true;
  if (producer.idempotent === true && producer.acks !== undefined && producer.acks !== -1) {
    throw new UsageError('enable.idempotence=true requires acks=all');
  }
  const batchLinesMax = args.int('batch-size') ?? 500;
  if (batchLinesMax < 1) throw new UsageError('Option --batch-size must be at least 1');
  return { topic, lines, producer, batchLinesMax };
}

export function parseAcks(text: string): -1 | 0 | 1 {
  if (text === 'all' || text === '-1') return -1;
  if (text === '0') return 0;
  if (text === '1') return 1;
  throw new UsageError(`Invalid acks '${text}': expected all, -1, 0 or 1`);
}

export async function runConsoleProducer(argv: readonly string[], io: CliIo, input: Readable = process.stdin): Promise<number> {
  const args = parseArgs(argv, consoleProducerSpec);
  if (args.has('help')) {
    io.out(helpText(consoleProducerSpec));
    return 0;
  }
  const plan = planProducer(args);
  await withClient(args, 'console-producer', async (client) => {
    await client.topicMetadata(plan.topic);
    const producer = new Producer(client, plan.producer);
    await pumpLines(input, plan, (records) => producer.send(plan.topic, records));
    await producer.close();
  });
  return 0;
}

/**
 * Reads lines and hands them to `send` in order, at most `batchLinesMax` per call and one call at
 * a time; input is paused while too much is waiting. Rejects on the first failed send or bad line.
 */
export function pumpLines(input: Readable, plan: ProducerPlan, send: (records: ProducerRecord[]) => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
    let pending: ProducerRecord[] = [];
    let lineNumber = 0;
    let sending = false;
    let ended = false;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      rl.close();
      reject(err);
    };
    const drain = async (): Promise<void> => {
      if (sending) return;
      sending = true;
      try {
        while (pending.length > 0 && !failed) {
          const batch = pending.slice(0, plan.batchLinesMax);
          pending = pending.slice(batch.length);
          // Node 24 throws on resume() once stdin ended and readline closed.
          if (!ended && pending.length < plan.batchLinesMax * 4) rl.resume();
          await send(batch);
        }
      } catch (err) {
        fail(err);
        return;
      } finally {
        sending = false;
      }
      if (ended && !failed) resolve();
    };
    rl.on('line', (line) => {
      if (failed) return;
      lineNumber++;
      try {
        pending.push(parseLine(line, lineNumber, plan.lines));
      } catch (err) {
        fail(err);
        return;
      }
      if (pending.length >= plan.batchLinesMax * 4) rl.pause();
      setImmediate(() => void drain());
    });
    rl.on('close', () => {
      ended = true;
      if (!failed) void drain();
    });
  });
}
