/**
 * Byte-exact fixtures: frames assembled by hand the way Kafka clients send them, headers, and
 * interop with a real third-party client's codecs (kafkajs builds requests we decode, and decodes
 * responses we build).
 */
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { createRequire } from 'node:module';
import {
  ApiKey,
  apiMessages,
  ApiVersionsRequest,
  ApiVersionsResponse,
  FetchRequest,
  FetchResponse,
  MetadataRequest,
  MetadataResponse,
  ProduceRequest,
  ProduceResponse,
  ConsumerProtocolSubscription,
  type ApiVersionsResponse as ApiVersionsResponseT,
} from '../../broker/protocol/generated/index.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  encodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../broker/protocol/header.js';
import { ProtocolDecodeError, Reader, Writer, ZERO_UUID } from '../../broker/protocol/primitives.js';

const require = createRequire(import.meta.url);

/** Hex with spaces and `"text"` segments for ASCII, to keep fixtures readable. */
function bytes(spec: string): Buffer {
  const parts: Buffer[] = [];
  for (const m of spec.matchAll(/"([^"]*)"|([0-9a-f]{2})/g)) {
    parts.push(m[1] !== undefined ? Buffer.from(m[1], 'latin1') : Buffer.from(m[2]!, 'hex'));
  }
  return Buffer.concat(parts);
}

test('ApiVersions v3 request as the Java client sends it', (t) => {
  const frame = bytes(`
    00 12  00 03  00 00 00 01  00 0d "adminclient-1"  00
    12 "apache-kafka-java"  06 "3.7.0"  00`);
  const r = new Reader(frame);
  const header = decodeRequestHeader(r);
  t.deepEqual(header, { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'adminclient-1' });
  const body = ApiVersionsRequest.decode(r, 3);
  t.deepEqual(body, { clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '3.7.0' });
  t.is(r.remaining, 0);

  const w = new Writer();
  encodeRequestHeader(w, header);
  ApiVersionsRequest.encode(w, 3, body);
  t.deepEqual(w.toBuffer(), frame);
});

test('Metadata v12 request for one topic, and for all topics', (t) => {
  const oneTopic = bytes(`
    00 03  00 0c  00 00 00 07  00 0a "producer-1"  00
    02  00000000000000000000000000000000  07 "orders"  00
    01  00  00`);
  const r = new Reader(oneTopic);
  t.deepEqual(decodeRequestHeader(r), { apiKey: 3, apiVersion: 12, correlationId: 7, clientId: 'producer-1' });
  const body = MetadataRequest.decode(r, 12);
  t.deepEqual(body, {
    topics: [{ topicId: ZERO_UUID, name: 'orders' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false, // only in v8-10
    includeTopicAuthorizedOperations: false,
  });
  t.is(r.remaining, 0);
  const w = new Writer();
  encodeRequestHeader(w, { apiKey: 3, apiVersion: 12, correlationId: 7, clientId: 'producer-1' });
  MetadataRequest.encode(w, 12, { topics: [{ name: 'orders' }] });
  t.deepEqual(w.toBuffer(), oneTopic, 'missing fields are written as their defaults');

  const allTopics = bytes('00 01 00 00');
  t.deepEqual(MetadataRequest.decode(new Reader(allTopics), 12).topics, null);
  const w2 = new Writer();
  MetadataRequest.encode(w2, 12, { topics: null, allowAutoTopicCreation: false });
  t.deepEqual(w2.toBuffer(), bytes('00 00 00 00'));
});

test('ApiVersions v3 response: tagged fields written only when not default, unknown tags skipped', (t) => {
  const msg = {
    errorCode: 0,
    apiKeys: [
      { apiKey: 0, minVersion: 0, maxVersion: 11 },
      { apiKey: 18, minVersion: 0, maxVersion: 4 },
    ],
    throttleTimeMs: 0,
    finalizedFeaturesEpoch: 5n,
  };
  const expected = bytes(`
    00 00
    03  0000 0000 000b 00  0012 0000 0004 00
    00 00 00 00
    01  01 08 0000000000000005`);
  const w = new Writer();
  ApiVersionsResponse.encode(w, 3, msg);
  t.deepEqual(w.toBuffer(), expected);

  const decoded: ApiVersionsResponseT = ApiVersionsResponse.decode(new Reader(expected), 3);
  t.is(decoded.finalizedFeaturesEpoch, 5n);
  t.deepEqual(decoded.supportedFeatures, []);
  t.false(decoded.zkMigrationReady);

  // The same response with an unknown tag 9 in front: it is skipped, the known tag still read.
  const withUnknown = bytes(`
    00 00  03  0000 0000 000b 00  0012 0000 0004 00  00 00 00 00
    02  09 03 aabbcc  01 08 0000000000000005`);
  t.deepEqual(ApiVersionsResponse.decode(new Reader(withUnknown), 3), decoded);

  // A tagged field whose declared size runs past the end is an error, not a crash.
  t.throws(() => ApiVersionsResponse.decode(new Reader(bytes('0000 01 00000000 01 01 08 00')), 3),
    { instanceOf: ProtocolDecodeError });
});

test('ApiVersions v0 response uses response header v0 even at flexible versions', (t) => {
  t.is(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  t.is(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  t.is(responseHeaderVersion(ApiKey.Metadata, 8), 0);
  t.is(responseHeaderVersion(ApiKey.Fetch, 12), 1);
});

test('request header versions follow flexibility, with the ControlledShutdown v0 exception', (t) => {
  t.is(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  t.is(requestHeaderVersion(ApiKey.ApiVersions, 2), 1);
  t.is(requestHeaderVersion(ApiKey.Produce, 9), 2);
  t.is(requestHeaderVersion(ApiKey.Produce, 8), 1);
  t.is(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  t.is(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
  t.is(requestHeaderVersion(9999, 0), 1);
});

test('request headers of unknown keys and versions still decode', (t) => {
  // Unknown api key 999: fixed part and client id, no tagged fields read.
  const unknownKey = bytes('03 e7 00 05 00 00 00 2a 00 01 "x" ff');
  const r1 = new Reader(unknownKey);
  t.deepEqual(decodeRequestHeader(r1), { apiKey: 999, apiVersion: 5, correlationId: 42, clientId: 'x' });
  t.is(r1.remaining, 1);
  // ApiVersions v99 (too new): a client will get UNSUPPORTED_VERSION; tagged fields are not read.
  const tooNew = bytes('00 12 00 63 00 00 00 01 ff ff 05');
  const r2 = new Reader(tooNew);
  t.deepEqual(decodeRequestHeader(r2), { apiKey: 18, apiVersion: 99, correlationId: 1, clientId: null });
  t.is(r2.remaining, 1);
  // ControlledShutdown v0 has no client id at all.
  const r3 = new Reader(bytes('00 07 00 00 00 00 00 03 00 00 00 01'));
  t.deepEqual(decodeRequestHeader(r3), { apiKey: 7, apiVersion: 0, correlationId: 3, clientId: null });
  t.is(r3.remaining, 4);
  t.throws(() => decodeRequestHeader(new Reader(bytes('00 12 00 03 00 00'))), { instanceOf: ProtocolDecodeError });
});

testProp('request and response headers round-trip', [
  fc.constantFrom(0, 1, 3, 7, 18, 60, 999), fc.integer({ min: 0, max: 20 }), fc.integer(),
  fc.option(fc.string({ maxLength: 20 }), { nil: null }),
], (t, apiKey, apiVersion, correlationId, clientId) => {
  const version = requestHeaderVersion(apiKey, apiVersion);
  const header = { apiKey, apiVersion, correlationId, clientId: version === 0 ? null : clientId };
  const w = new Writer();
  encodeRequestHeader(w, header);
  w.int8(0x55);
  const r = new Reader(w.toBuffer());
  t.deepEqual(decodeRequestHeader(r), header);
  const api = apiMessages.get(apiKey);
  const known = api !== undefined && apiVersion >= api.request.minVersion && apiVersion <= api.request.maxVersion;
  // Tagged fields are read only for known flexible versions; otherwise the reader stops before them.
  if (version === 2 && !known) t.is(r.uvarint(), 0);
  t.is(r.int8(), 0x55);
  for (const rv of [0, 1]) {
    const rw = new Writer();
    encodeResponseHeader(rw, rv, correlationId);
    const rr = new Reader(rw.toBuffer());
    t.deepEqual(decodeResponseHeader(rr, rv), { correlationId });
    t.is(rr.remaining, 0);
  }
});

test('a Fetch response splices stored record batches by reference', (t) => {
  const batch = Buffer.alloc(4096, 0xab);
  const w = new Writer();
  encodeResponseHeader(w, 1, 9);
  FetchResponse.encode(w, 12, {
    responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 10n, records: batch }] }],
  });
  t.true(w.toChunks().includes(batch), 'the batch buffer appears as one of the output chunks');
  const r = new Reader(w.toBuffer());
  t.is(decodeResponseHeader(r, 1).correlationId, 9);
  const decoded = FetchResponse.decode(r, 12);
  t.deepEqual(decoded.responses[0]!.partitions[0]!.records, batch);
  t.is(decoded.responses[0]!.partitions[0]!.currentLeader.leaderId, -1);
});

test('ConsumerProtocolSubscription (a data schema) encodes without an api key', (t) => {
  t.is(ConsumerProtocolSubscription.apiKey, -1);
  const w = new Writer();
  ConsumerProtocolSubscription.encode(w, 0, { topics: ['a', 'b'], userData: null });
  t.deepEqual(w.toBuffer(), bytes('00000002 0001 "a" 0001 "b" ffffffff'));
});

// ---- kafkajs interop --------------------------------------------------------------------------

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
  encode(): Promise<unknown>;
}
type Framer = (a: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;
const frame = require('kafkajs/src/protocol/request.js') as Framer;
// kafkajs ships untyped CommonJS; its request builders and response decoders are used as-is.
const kjs = (p: string): any => require(`kafkajs/src/protocol/requests/${p}`);

/** The frame kafkajs would put on the socket, positioned after its int32 size (checked). */
async function kafkajsFrame(request: KafkajsRequest): Promise<Reader> {
  const { buffer } = await frame({ correlationId: 77, clientId: 'kafkajs', request });
  const r = new Reader(buffer);
  if (r.int32() !== buffer.length - 4) throw new Error('kafkajs frame size does not match');
  return r;
}

test('kafkajs Metadata v6 and ApiVersions v2 requests decode', async (t) => {
  let r = await kafkajsFrame(kjs('metadata/v6/request.js')({ topics: ['orders', 'payments'], allowAutoTopicCreation: false }));
  t.deepEqual(decodeRequestHeader(r), { apiKey: 3, apiVersion: 6, correlationId: 77, clientId: 'kafkajs' });
  t.deepEqual(MetadataRequest.decode(r, 6), {
    topics: [{ topicId: ZERO_UUID, name: 'orders' }, { topicId: ZERO_UUID, name: 'payments' }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  t.is(r.remaining, 0);

  r = await kafkajsFrame(kjs('apiVersions/v2/request.js')());
  t.is(decodeRequestHeader(r).apiKey, ApiKey.ApiVersions);
  t.deepEqual(ApiVersionsRequest.decode(r, 2), { clientSoftwareName: '', clientSoftwareVersion: '' });
  t.is(r.remaining, 0);
});

test('kafkajs Produce v3 and Fetch v11 requests decode', async (t) => {
  let r = await kafkajsFrame(kjs('produce/v3/request.js')({
    acks: -1,
    timeout: 30000,
    topicData: [{ topic: 'orders', partitions: [{ partition: 2, messages: [{ key: 'k', value: 'v', timestamp: 1700000000000 }] }] }],
  }));
  t.is(decodeRequestHeader(r).apiVersion, 3);
  const produce = ProduceRequest.decode(r, 3);
  t.is(r.remaining, 0);
  t.is(produce.transactionalId, null);
  t.is(produce.acks, -1);
  t.is(produce.timeoutMs, 30000);
  const records = produce.topicData[0]!.partitionData[0]!.records!;
  t.is(produce.topicData[0]!.name, 'orders');
  t.is(produce.topicData[0]!.partitionData[0]!.index, 2);
  t.is(records.readInt8(16), 2, 'record batch magic 2');
  t.is(records.readInt32BE(8), records.length - 12, 'batchLength covers the rest of the batch');

  r = await kafkajsFrame(kjs('fetch/v11/request.js')({
    replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 1048576, rackId: 'rack-a',
    topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 65536 }] }],
  }));
  t.is(decodeRequestHeader(r).apiVersion, 11);
  const fetch = FetchRequest.decode(r, 11);
  t.is(r.remaining, 0);
  t.is(fetch.maxWaitMs, 500);
  t.is(fetch.isolationLevel, 1);
  t.is(fetch.rackId, 'rack-a');
  t.deepEqual(fetch.topics[0]!.partitions[0], {
    partition: 0, currentLeaderEpoch: -1, fetchOffset: 42n, lastFetchedEpoch: -1, logStartOffset: -1n,
    partitionMaxBytes: 65536, replicaDirectoryId: ZERO_UUID,
  });
});

test('kafkajs decodes the Metadata v6 and Produce v7 responses we encode', async (t) => {
  const w = new Writer();
  MetadataResponse.encode(w, 6, {
    brokers: [{ nodeId: 1, host: 'broker-1', port: 9092, rack: null }],
    clusterId: 'cluster-x',
    controllerId: 1,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] }],
  });
  const meta = await kjs('metadata/v6/response.js').decode(w.toBuffer());
  t.is(meta.clusterId, 'cluster-x');
  t.deepEqual(meta.brokers, [{ nodeId: 1, host: 'broker-1', port: 9092, rack: null }]);
  t.is(meta.topicMetadata[0].topic, 'orders');
  t.deepEqual(meta.topicMetadata[0].partitionMetadata[0].replicas, [1]);

  const pw = new Writer();
  ProduceResponse.encode(pw, 7, {
    responses: [{ name: 'orders', partitionResponses: [{ index: 2, baseOffset: 100n, logAppendTimeMs: -1n, logStartOffset: 0n }] }],
    throttleTimeMs: 0,
  });
  const produced = await kjs('produce/v7/response.js').decode(pw.toBuffer());
  t.is(produced.topics[0].topicName, 'orders');
  t.is(produced.topics[0].partitions[0].partition, 2);
  t.is(produced.topics[0].partitions[0].baseOffset, '100');
});
