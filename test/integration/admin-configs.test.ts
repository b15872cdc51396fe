// Config administration judged by kafkajs (DescribeConfigs v0-2, AlterConfigs v0-1) plus raw
// requests at versions kafkajs does not speak (DescribeConfigs v3/v4, AlterConfigs v2,
// IncrementalAlterConfigs v0/v1).
import test from 'ava';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import { Connection } from '../../broker/client/connection.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { AlterConfigsRequest } from '../../broker/protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../../broker/protocol/generated/alter-configs-response.js';
import { DescribeConfigsRequest } from '../../broker/protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse } from '../../broker/protocol/generated/describe-configs-response.js';
import { IncrementalAlterConfigsRequest } from '../../broker/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../broker/protocol/generated/incremental-alter-configs-response.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

// kafkajs is CommonJS: its enum is reachable only through the default export.
const { ConfigResourceTypes } = kafkajs;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const Source = { DYNAMIC_TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT_BROKER: 3, STATIC_BROKER: 4, DEFAULT: 5 };

let tb: TestBroker;
let admin: Admin;
let raw: Connection;

test.before(async () => {
  tb = await startTestBroker({ overrides: ['log.retention.hours=48'] });
  admin = new Kafka({ brokers: [tb.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  raw = await Connection.connect({ host: '127.0.0.1', port: tb.port, clientId: 'admin-configs-test' });
});

test.after.always(async () => {
  raw?.close();
  await admin?.disconnect();
  await tb?.stop();
});

async function describeTopic(name: string, version = 4, keys: string[] | null = null) {
  const response = await raw.send(DescribeConfigsRequest, DescribeConfigsResponse, version, {
    resources: [{ resourceType: 2, resourceName: name, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  return response.results[0]!;
}

test('kafkajs describes a topic: overrides are DYNAMIC_TOPIC_CONFIG, static broker keys STATIC_BROKER_CONFIG, the rest defaults', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'described', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: true,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'described' }],
  });
  const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  t.is(entries.get('cleanup.policy')!.configValue, 'compact');
  t.is(entries.get('cleanup.policy')!.configSource, Source.DYNAMIC_TOPIC);
  t.false(entries.get('cleanup.policy')!.isDefault);
  t.is(entries.get('retention.ms')!.configValue, String(48 * 3600 * 1000), 'from log.retention.hours in the static config');
  t.is(entries.get('retention.ms')!.configSource, Source.STATIC_BROKER);
  t.deepEqual(
    entries.get('retention.ms')!.configSynonyms.map((s) => [s.configName, s.configSource]),
    [['log.retention.hours', Source.STATIC_BROKER], ['log.retention.hours', Source.DEFAULT]],
  );
  t.is(entries.get('segment.bytes')!.configSource, Source.DEFAULT);
  t.true(entries.get('segment.bytes')!.isDefault);
});

test('configurationKeys filters, v3+ carries types and documentation only when asked, v0 answers isDefault', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'filtered', configEntries: [{ name: 'retention.bytes', value: '1000' }] }] });
  const filtered = await describeTopic('filtered', 4, ['retention.bytes', 'no.such.key']);
  t.deepEqual(filtered.configs.map((c) => [c.name, c.value, c.configSource, c.configType]), [['retention.bytes', '1000', Source.DYNAMIC_TOPIC, 5]]);
  t.truthy(filtered.configs[0]!.documentation);
  const noDocs = await raw.send(DescribeConfigsRequest, DescribeConfigsResponse, 3, {
    resources: [{ resourceType: 2, resourceName: 'filtered', configurationKeys: ['retention.bytes'] }],
  });
  t.is(noDocs.results[0]!.configs[0]!.documentation, null);
  t.deepEqual(noDocs.results[0]!.configs[0]!.synonyms, []);
  const v0 = await describeTopic('filtered', 0, ['retention.bytes', 'segment.ms']);
  t.deepEqual(v0.configs.map((c) => [c.name, c.isDefault]), [['retention.bytes', false], ['segment.ms', true]]);
});

test('unknown and illegal topics, other brokers and unsupported resource types answer per-resource errors', async (t) => {
  const response = await raw.send(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
    resources: [
      { resourceType: 2, resourceName: 'nope', configurationKeys: null },
      { resourceType: 2, resourceName: 'bad name', configurationKeys: null },
      { resourceType: 4, resourceName: String(tb.broker.nodeId + 1), configurationKeys: null },
      { resourceType: 8, resourceName: String(tb.broker.nodeId), configurationKeys: null },
      { resourceType: 16, resourceName: 'x', configurationKeys: null },
    ],
  });
  t.deepEqual(response.results.map((r) => r.errorCode), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_REQUEST, ErrorCode.NONE, ErrorCode.INVALID_REQUEST,
  ]);
  t.regex(response.results[0]!.errorMessage ?? '', /does not exist/);
  t.deepEqual(response.results[3]!.configs, [], 'no configurable loggers yet');
});

test('kafkajs describes this broker: static keys, defaults and read-only flags', async (t) => {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(tb.broker.nodeId), configNames: ['log.retention.hours', 'num.partitions', 'node.id'] }],
  });
  const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  t.is(entries.get('log.retention.hours')!.configValue, '48');
  t.is(entries.get('log.retention.hours')!.configSource, Source.STATIC_BROKER);
  t.is(entries.get('num.partitions')!.configSource, Source.DEFAULT);
  t.true(entries.get('node.id')!.readOnly);
});

test('kafkajs alterConfigs replaces all overrides of a topic (a key left out returns to its default)', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'replaced', configEntries: [{ name: 'retention.ms', value: '1000' }, { name: 'segment.ms', value: '2000' }] }] });
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'replaced', configEntries: [{ name: 'retention.ms', value: '5000' }] }],
  });
  const result = await describeTopic('replaced', 4, ['retention.ms', 'segment.ms']);
  t.deepEqual(result.configs.map((c) => [c.name, c.value, c.configSource]), [
    ['retention.ms', '5000', Source.DYNAMIC_TOPIC],
    ['segment.ms', '604800000', Source.DEFAULT],
  ]);
  t.is(tb.broker.logConfigFor('replaced').retentionMs, 5000, 'the log sees the new value');
});

test('AlterConfigs answers INVALID_CONFIG per resource and validateOnly writes nothing', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'guarded' }] });
  const response = await raw.send(AlterConfigsRequest, AlterConfigsResponse, 2, {
    resources: [
      { resourceType: 2, resourceName: 'guarded', configs: [{ name: 'retention.ms', value: 'forever' }] },
      { resourceType: 2, resourceName: 'missing-topic', configs: [{ name: 'retention.ms', value: '1' }] },
      { resourceType: 4, resourceName: String(tb.broker.nodeId), configs: [{ name: 'node.id', value: '7' }] },
    ],
    validateOnly: false,
  });
  t.deepEqual(response.responses.map((r) => r.errorCode), [ErrorCode.INVALID_CONFIG, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_CONFIG]);
  t.regex(response.responses[0]!.errorMessage ?? '', /retention\.ms/);
  t.regex(response.responses[2]!.errorMessage ?? '', /dynamically/);
  const validated = await raw.send(AlterConfigsRequest, AlterConfigsResponse, 0, {
    resources: [{ resourceType: 2, resourceName: 'guarded', configs: [{ name: 'retention.ms', value: '1234' }] }],
    validateOnly: true,
  });
  t.is(validated.responses[0]!.errorCode, ErrorCode.NONE);
  t.is((await describeTopic('guarded', 4, ['retention.ms'])).configs[0]!.configSource, Source.STATIC_BROKER, 'nothing was written');
  const viaKafkajs = await t.throwsAsync(admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'guarded', configEntries: [{ name: 'max.message.bytes', value: '-5' }] }],
  }));
  t.regex(viaKafkajs?.message ?? '', /invalid|INVALID_CONFIG/i);
});

test('IncrementalAlterConfigs SET, DELETE, APPEND and SUBTRACT edit single keys', async (t) => {
  await admin.createTopics({ topics: [{ topic: 'incremental', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
  const alter = async (version: number, configs: Array<{ name: string; configOperation: number; value: string | null }>) =>
    (await raw.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, version, {
      resources: [{ resourceType: 2, resourceName: 'incremental', configs }],
    })).responses[0]!;
  t.is((await alter(1, [{ name: 'segment.ms', configOperation: SET, value: '9000' }])).errorCode, ErrorCode.NONE);
  t.is((await alter(0, [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, ErrorCode.NONE);
  let configs = new Map((await describeTopic('incremental')).configs.map((c) => [c.name, c.value]));
  t.is(configs.get('retention.ms'), '1000', 'untouched keys keep their override');
  t.is(configs.get('segment.ms'), '9000');
  t.is(configs.get('cleanup.policy'), 'delete,compact', 'APPEND starts from the effective value');
  t.is((await alter(1, [
    { name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' },
    { name: 'retention.ms', configOperation: DELETE, value: null },
  ])).errorCode, ErrorCode.NONE);
  configs = new Map((await describeTopic('incremental')).configs.map((c) => [c.name, c.value]));
  t.is(configs.get('cleanup.policy'), 'compact');
  t.is(configs.get('retention.ms'), String(48 * 3600 * 1000), 'back to the broker value');
  const bad = await alter(1, [{ name: 'segment.ms', configOperation: APPEND, value: '1' }]);
  t.is(bad.errorCode, ErrorCode.INVALID_CONFIG);
  t.regex(bad.errorMessage ?? '', /LIST/);
});

test('dynamic broker configs: per-broker and cluster-default values are described with their sources', async (t) => {
  const node = String(tb.broker.nodeId);
  const response = await raw.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    resources: [
      { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.bytes', configOperation: SET, value: '1048576' }] },
      { resourceType: 4, resourceName: node, configs: [{ name: 'log.retention.bytes', configOperation: SET, value: '2097152' }] },
    ],
  });
  t.deepEqual(response.responses.map((r) => [r.resourceName, r.errorCode]), [['', ErrorCode.NONE], [node, ErrorCode.NONE]]);
  const described = await raw.send(DescribeConfigsRequest, DescribeConfigsResponse, 4, {
    resources: [
      { resourceType: 4, resourceName: node, configurationKeys: ['log.retention.bytes'] },
      { resourceType: 4, resourceName: '', configurationKeys: null },
    ],
    includeSynonyms: true,
  });
  const [own, clusterDefault] = described.results;
  t.deepEqual(own!.configs.map((c) => [c.value, c.configSource]), [['2097152', Source.DYNAMIC_BROKER]]);
  t.deepEqual(own!.configs[0]!.synonyms.map((s) => [s.value, s.source]), [
    ['2097152', Source.DYNAMIC_BROKER], ['1048576', Source.DYNAMIC_DEFAULT_BROKER], ['-1', Source.DEFAULT],
  ]);
  t.deepEqual(clusterDefault!.configs.map((c) => [c.name, c.value, c.configSource]), [['log.retention.bytes', '1048576', Source.DYNAMIC_DEFAULT_BROKER]],
    'the "" resource lists only the cluster-wide dynamic defaults');
  await admin.createTopics({ topics: [{ topic: 'inherits' }] });
  const topic = await describeTopic('inherits', 4, ['retention.bytes']);
  t.deepEqual(topic.configs.map((c) => [c.value, c.configSource]), [['2097152', Source.DYNAMIC_BROKER]], 'topics inherit the dynamic broker value');
  const cleared = await raw.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    resources: [
      { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.bytes', configOperation: DELETE, value: null }] },
      { resourceType: 4, resourceName: node, configs: [{ name: 'log.retention.bytes', configOperation: DELETE, value: null }] },
    ],
  });
  t.deepEqual(cleared.responses.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
});
