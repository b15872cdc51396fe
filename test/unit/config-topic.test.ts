import test from 'ava';
import { ConfigSource, applyDynamicBrokerConfigs, loadBrokerConfig } from '../../broker/config/broker-config.js';
import type { Log } from '../../broker/storage/log.js';
import { TOPIC_CONFIG_DEFS, effectiveTopicConfig, toLogConfig, validateTopicConfigs } from '../../broker/config/topic-config.js';

const none = new Map<string, string>();

test('validateTopicConfigs accepts good values', (t) => {
  t.deepEqual(validateTopicConfigs(new Map([
    ['retention.ms', '-1'], ['cleanup.policy', 'compact,delete'], ['segment.bytes', '1048576'], ['message.timestamp.type', 'LogAppendTime'],
    ['min.cleanable.dirty.ratio', '0.1'], ['unclean.leader.election.enable', 'true'], ['compression.type', 'zstd'],
  ])), { ok: true });
});

const invalid: [string, string | null, RegExp][] = [
  ['retention.mss', '1', /Unknown topic config name: retention.mss \(did you mean retention.ms\?\)/],
  ['retention.ms', 'forever', /Invalid value forever for configuration retention.ms: expected a long/],
  ['retention.ms', '-2', /expected a value >= -1/],
  ['cleanup.policy', 'shred', /expected a non-empty list of \[delete, compact\]/],
  ['cleanup.policy', '', /expected a non-empty list/],
  ['segment.bytes', '13', /expected a value >= 14/],
  ['min.insync.replicas', '0', /expected a value >= 1/],
  ['message.timestamp.type', 'Now', /expected one of \[CreateTime, LogAppendTime\]/],
  ['min.cleanable.dirty.ratio', '1.5', /expected a value in \[0, 1\]/],
  ['preallocate', 'maybe', /expected true or false/],
  ['retention.ms', null, /Null value not supported/],
];

for (const [name, value, message] of invalid) {
  test(`validateTopicConfigs rejects ${name}=${String(value)} with INVALID_CONFIG`, (t) => {
    const result = validateTopicConfigs(new Map([[name, value]]));
    t.false(result.ok);
    if (!result.ok) {
      t.is(result.errorCode, 40);
      t.regex(result.message, message);
    }
  });
}

test('validateTopicConfigs checks min.compaction.lag.ms <= max.compaction.lag.ms', (t) => {
  t.false(validateTopicConfigs([['min.compaction.lag.ms', '10'], ['max.compaction.lag.ms', '5']]).ok);
});

test('effective topic config: defaults come from the broker, with sources', (t) => {
  const broker = loadBrokerConfig({ file: 'log.retention.hours=2\nlog.segment.bytes=5000' });
  const entries = new Map(effectiveTopicConfig(broker, new Map([['segment.bytes', '6000']])).map((e) => [e.name, e]));
  t.is(entries.size, TOPIC_CONFIG_DEFS.size);
  t.like(entries.get('retention.ms'), { value: '7200000', source: ConfigSource.STATIC_BROKER_CONFIG, isDefault: false });
  t.like(entries.get('segment.bytes'), { value: '6000', source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  t.deepEqual(entries.get('segment.bytes')!.synonyms.map((s) => [s.name, s.value, s.source]), [
    ['segment.bytes', '6000', ConfigSource.DYNAMIC_TOPIC_CONFIG],
    ['log.segment.bytes', '5000', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.segment.bytes', '1073741824', ConfigSource.DEFAULT_CONFIG],
  ]);
  t.like(entries.get('max.message.bytes'), { value: '1048588', source: ConfigSource.DEFAULT_CONFIG, isDefault: true });
  t.like(entries.get('flush.messages'), { value: '9223372036854775807' });
  t.like(entries.get('cleanup.policy'), { value: 'delete', readOnly: false, isSensitive: false });
});

test('effective topic config follows dynamic broker defaults', (t) => {
  const broker = applyDynamicBrokerConfigs(loadBrokerConfig(), { clusterDefaults: new Map([['log.retention.ms', '1000']]) });
  const retention = effectiveTopicConfig(broker, none).find((e) => e.name === 'retention.ms')!;
  t.like(retention, { value: '1000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
});

test('toLogConfig: broker defaults, topic overrides win, Long.MAX = largest safe number', (t) => {
  const broker = loadBrokerConfig({ file: 'log.retention.minutes=3\nlog.roll.ms=500\nlog.index.interval.bytes=100' });
  const log = toLogConfig(broker, new Map([['retention.bytes', '1000'], ['cleanup.policy', 'compact'], ['message.timestamp.type', 'LogAppendTime']]));
  const forStorage: Log['config'] = log; // compile-time: storage can take it as is
  t.truthy(forStorage);
  t.deepEqual(log, {
    segmentBytes: 1073741824,
    segmentMs: 500,
    segmentJitterMs: 0,
    segmentIndexBytes: 10485760,
    indexIntervalBytes: 100,
    retentionMs: 180_000,
    retentionBytes: 1000,
    flushMessages: Number.MAX_SAFE_INTEGER,
    flushMs: Number.MAX_SAFE_INTEGER,
    fileDeleteDelayMs: 60000,
    messageTimestampType: 'LogAppendTime',
    messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
    messageTimestampAfterMaxMs: 3600000,
    maxMessageBytes: 1048588,
    minInsyncReplicas: 1,
    cleanupPolicy: ['compact'],
    compressionType: 'producer',
    preallocate: false,
  });
});
