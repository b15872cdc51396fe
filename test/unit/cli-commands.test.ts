// CLI commands end to end through `main` against a small scripted fake broker over TCP: exit codes,
// the one-line errors, and the stdout of topics / console-producer / consumer-groups.

import test from 'ava';
import net from 'node:net';
import { Readable } from 'node:stream';
import { main } from '../../cli/cli.js';
import { runConsoleProducer } from '../../cli/commands/console-producer.js';
import { encodeAssignment } from '../../broker/client/consumer-protocol.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { ApiKey, apiMessages } from '../../broker/protocol/generated/index.js';
import { decodeRequestHeader, encodeResponseHeader, responseHeaderVersion } from '../../broker/protocol/header.js';
import { Reader, Writer } from '../../broker/protocol/primitives.js';
import { decodeRecordBatches } from '../../broker/protocol/records.js';

type Handler = (version: number, body: any, port: number) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

async function fakeBroker(handlers: Record<number, Handler>): Promise<{ port: number; seen: number[]; close: () => Promise<void> }> {
  const seen: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const r = new Reader(frame);
        const h = decodeRequestHeader(r);
        const api = apiMessages.get(h.apiKey)!;
        seen.push(h.apiKey);
        const body = api.request.decode(r, h.apiVersion);
        const response =
          h.apiKey === ApiKey.ApiVersions
            ? { apiKeys: [...apiMessages.values()].map((m) => ({ apiKey: m.apiKey, minVersion: m.request.minVersion, maxVersion: m.request.maxVersion })) }
            : handlers[h.apiKey]!(h.apiVersion, body, port);
        const w = new Writer();
        w.int32(0);
        encodeResponseHeader(w, responseHeaderVersion(h.apiKey, h.apiVersion), h.correlationId);
        api.response.encode(w, h.apiVersion, response as never);
        const out = w.toBuffer();
        out.writeInt32BE(out.length - 4, 0);
        socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const metadata = (topics: Record<string, number>): Handler => (_v, body, port) => ({
  brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
  controllerId: 1,
  topics: (body.topics === null ? Object.keys(topics) : body.topics.map((t: { name: string }) => t.name)).map((name: string) =>
    topics[name] === undefined
      ? { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
      : { name, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: Array.from({ length: topics[name]! }, (_, p) => ({ partitionIndex: p, leaderId: 1, replicaNodes: [1], isrNodes: [1] })) },
  ),
});

const coordinator: Handler = (_v, _b, port) => ({ nodeId: 1, host: '127.0.0.1', port, coordinators: [{ key: 'g', nodeId: 1, host: '127.0.0.1', port }] });

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

test('topics --create prints "Created topic"; an existing topic is one Error line and exit 1', async (t) => {
  const existing = new Set<string>();
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadata({}),
    [ApiKey.CreateTopics]: (_v, body) => ({
      topics: body.topics.map((tp: { name: string }) => {
        const exists = existing.has(tp.name);
        existing.add(tp.name);
        return exists ? { name: tp.name, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `Topic '${tp.name}' already exists.` } : { name: tp.name };
      }),
    }),
  });
  const args = ['topics', '--bootstrap-server', `127.0.0.1:${fake.port}`, '--create', '--topic', 'x', '--partitions', '2'];
  t.deepEqual(await run(args), { code: 0, out: 'Created topic x.\n', err: '' });
  t.deepEqual(await run(args), { code: 1, out: '', err: "Error: Topic 'x' already exists.\n" });
  t.deepEqual(await run([...args, '--if-not-exists']), { code: 0, out: '', err: '' });
  await fake.close();
});

test('topics --list and --describe', async (t) => {
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadata({ b: 1, a: 2 }),
    [ApiKey.DescribeConfigs]: (_v, body) => ({
      results: body.resources.map((r: { resourceName: string }) => ({
        resourceType: 2,
        resourceName: r.resourceName,
        configs: [{ name: 'retention.ms', value: '5', configSource: 1 }],
      })),
    }),
  });
  const bootstrap = ['--bootstrap-server', `127.0.0.1:${fake.port}`];
  t.deepEqual(await run(['topics', ...bootstrap, '--list']), { code: 0, out: 'a\nb\n', err: '' });
  const described = await run(['topics', ...bootstrap, '--describe', '--topic', 'a']);
  t.is(described.code, 0);
  t.deepEqual(described.out.split('\n'), [
    'Topic: a\tTopicId: AAAAAAAAAAAAAAAAAAAAAQ\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=5',
    '\tTopic: a\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1',
    '\tTopic: a\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1',
    '',
  ]);
  t.deepEqual(await run(['topics', ...bootstrap, '--describe', '--topic', 'zzz']), { code: 1, out: '', err: "Error: Topic 'zzz' does not exist as expected\n" });
  await fake.close();
});

test('an unreachable broker is one Error line and exit 1', async (t) => {
  const fake = await fakeBroker({});
  const port = fake.port;
  await fake.close();
  const result = await run(['topics', '--bootstrap-server', `127.0.0.1:${port}`, '--list']);
  t.is(result.code, 1);
  t.regex(result.err, /^Error: Could not connect to any bootstrap server: Connection to 127\.0\.0\.1:\d+ refused\n$/);
});

test('console-producer sends every stdin line in order, keys parsed, and exits 0 at EOF', async (t) => {
  const values: string[] = [];
  const keys: string[] = [];
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadata({ t: 1 }),
    [ApiKey.Produce]: (_v, body) => {
      for (const r of decodeRecordBatches(body.topicData[0].partitionData[0].records).flatMap((b) => b.records)) {
        keys.push(r.key?.toString() ?? 'null');
        values.push(r.value?.toString() ?? 'null');
      }
      return { responses: [{ name: 't', partitionResponses: [{ index: 0, baseOffset: BigInt(values.length) }] }] };
    },
  });
  const lines = Array.from({ length: 1200 }, (_, i) => `k${i}:v${i}`);
  const input = Readable.from([`${lines.join('\n')}\n`]);
  const io = { out: () => {}, err: () => {} };
  const code = await runConsoleProducer(
    ['--bootstrap-server', `127.0.0.1:${fake.port}`, '--topic', 't', '--property', 'parse.key=true', '--property', 'key.separator=:'],
    io,
    input,
  );
  t.is(code, 0);
  t.deepEqual(values, lines.map((_, i) => `v${i}`));
  t.deepEqual(keys.slice(0, 2), ['k0', 'k1']);
  await fake.close();
});

test('consumer-groups --reset-offsets refuses while the group is active', async (t) => {
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadata({ t: 1 }),
    [ApiKey.FindCoordinator]: coordinator,
    [ApiKey.DescribeGroups]: () => ({
      groups: [{ groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', members: [{ memberId: 'm', clientId: 'c', clientHost: '/h', memberAssignment: encodeAssignment([{ topic: 't', partitions: [0] }]) }] }],
    }),
  });
  const result = await run(['consumer-groups', '--bootstrap-server', `127.0.0.1:${fake.port}`, '--reset-offsets', '--group', 'g', '--topic', 't', '--to-earliest', '--execute']);
  t.deepEqual(result, { code: 1, out: '', err: "Error: Assignments can only be reset if the group 'g' is inactive, but the current state is Stable.\n" });
  t.false(fake.seen.includes(ApiKey.OffsetCommit));
  await fake.close();
});

test('consumer-groups --describe shows committed offsets, log end and lag per assigned partition', async (t) => {
  const fake = await fakeBroker({
    [ApiKey.Metadata]: metadata({ t: 2 }),
    [ApiKey.FindCoordinator]: coordinator,
    [ApiKey.DescribeGroups]: () => ({
      groups: [{ groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', members: [{ memberId: 'm-1', clientId: 'c-1', clientHost: '/10.0.0.1', memberAssignment: encodeAssignment([{ topic: 't', partitions: [0, 1] }]) }] }],
    }),
    [ApiKey.OffsetFetch]: (v) => {
      const topics = [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, metadata: '' }] }];
      return v >= 8 ? { groups: [{ groupId: 'g', topics }] } : { topics };
    },
    [ApiKey.ListOffsets]: (_v, body) => ({
      topics: body.topics.map((tp: { name: string; partitions: Array<{ partitionIndex: number }> }) => ({ name: tp.name, partitions: tp.partitions.map((p) => ({ partitionIndex: p.partitionIndex, offset: 10n })) })),
    }),
  });
  const result = await run(['consumer-groups', '--bootstrap-server', `127.0.0.1:${fake.port}`, '--describe', '--group', 'g']);
  t.is(result.code, 0);
  const rows = result.out.split('\n').filter((l) => l !== '').map((l) => l.split(/\s+/));
  t.deepEqual(rows, [
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    ['g', 't', '0', '3', '10', '7', 'm-1', '/10.0.0.1', 'c-1'],
    ['g', 't', '1', '-', '10', '-', 'm-1', '/10.0.0.1', 'c-1'],
  ]);
  await fake.close();
});
