import test from 'ava';
import {
  ConfigError, ConfigSource, applyDynamicBrokerConfigs, checkDynamicBrokerConfig, describeBrokerConfig, loadBrokerConfig,
} from '../../broker/config/broker-config.js';
import { BROKER_CONFIG_DEFS, envNameFor } from '../../broker/config/definitions.js';

test('the embedded default loads with no input', (t) => {
  const cfg = loadBrokerConfig();
  t.is(cfg.nodeId, 1);
  t.deepEqual(cfg.processRoles, ['broker', 'controller']);
  t.deepEqual(cfg.listeners, [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  t.deepEqual(cfg.advertisedListeners, cfg.listeners);
  t.is(cfg.interBrokerListenerName, 'PLAINTEXT');
  t.deepEqual(cfg.logDirs, ['./data']);
  t.is(cfg.logRetentionMs, 168 * 3_600_000);
  t.is(cfg.messageMaxBytes, 1048588);
  t.is(cfg.offsetsTopicNumPartitions, 50);
  t.is(cfg.logFlushIntervalMessages, Number.MAX_SAFE_INTEGER);
  t.deepEqual(cfg.httpListener, { host: '0.0.0.0', port: 9644 });
  t.true([...cfg.raw.values()].every((e) => e.source === 'default'));
});

test('every default in the key table passes its own validator', (t) => {
  for (const def of BROKER_CONFIG_DEFS.values()) {
    t.notThrows(() => loadBrokerConfig({ overrides: def.default === null ? [] : [`${def.name}=${def.default}`] }), def.name);
  }
});

test('precedence: defaults < file < env < override', (t) => {
  const file = 'num.partitions=2\nlog.segment.bytes=2000\nmessage.max.bytes=3000\n';
  const env = { TRIBUTARY_LOG_SEGMENT_BYTES: '4000', TRIBUTARY_MESSAGE_MAX_BYTES: '5000' };
  const cfg = loadBrokerConfig({ file, env, overrides: ['message.max.bytes=6000'] });
  t.is(cfg.numPartitions, 2);
  t.is(cfg.logSegmentBytes, 4000);
  t.is(cfg.messageMaxBytes, 6000);
  t.is(cfg.defaultReplicationFactor, 1);
  t.is(cfg.raw.get('num.partitions')!.source, 'file');
  t.is(cfg.raw.get('log.segment.bytes')!.source, 'env');
  t.is(cfg.raw.get('log.segment.bytes')!.from, 'TRIBUTARY_LOG_SEGMENT_BYTES');
  t.is(cfg.raw.get('message.max.bytes')!.source, 'override');
  t.is(cfg.raw.get('default.replication.factor')!.source, 'default');
});

test('later overrides win over earlier ones', (t) => {
  t.is(loadBrokerConfig({ overrides: ['num.partitions=3', 'num.partitions=4'] }).numPartitions, 4);
});

test('KAFKA_ env vars work like the Kafka docker image; TRIBUTARY_ wins over KAFKA_', (t) => {
  const cfg = loadBrokerConfig({ env: { KAFKA_NODE_ID: '7', KAFKA_LOG_DIRS: '/a,/b', KAFKA_NUM_PARTITIONS: '3', TRIBUTARY_NUM_PARTITIONS: '5', KAFKA_HEAP_OPTS: '-Xmx1G' } });
  t.is(cfg.nodeId, 7);
  t.deepEqual(cfg.logDirs, ['/a', '/b']);
  t.is(cfg.numPartitions, 5);
  t.deepEqual(cfg.warnings, []);
});

test('env names follow the docker convention and tributary.* keys drop their prefix', (t) => {
  t.is(envNameFor('KAFKA_', 'log.retention.hours'), 'KAFKA_LOG_RETENTION_HOURS');
  t.is(envNameFor('TRIBUTARY_', 'tributary.http.listener'), 'TRIBUTARY_HTTP_LISTENER');
  t.is(envNameFor('KAFKA_', 'tributary.http.listener'), null);
  t.deepEqual(loadBrokerConfig({ env: { TRIBUTARY_HTTP_LISTENER: '127.0.0.1:0' } }).httpListener, { host: '127.0.0.1', port: 0 });
});

test('an unknown TRIBUTARY_ env var is a warning with a suggestion, not an error', (t) => {
  const cfg = loadBrokerConfig({ env: { TRIBUTARY_LOG_RETENTION_HOURZ: '1', TRIBUTARY_LOG_LEVEL: 'debug' } });
  t.deepEqual(cfg.warnings, [
    'Environment variable TRIBUTARY_LOG_RETENTION_HOURZ matches no config key and was ignored (did you mean TRIBUTARY_LOG_RETENTION_HOURS?)',
  ]);
});

test('an unknown key in the file names the key and suggests the closest', (t) => {
  const error = t.throws(() => loadBrokerConfig({ file: 'log.retention.hourz=5\n' }), { instanceOf: ConfigError });
  t.is(error!.message, 'Unknown config key "log.retention.hourz" in server.properties (did you mean "log.retention.hours"?)');
  t.is(error!.key, 'log.retention.hourz');
});

test('an unknown key far from any known key gets no suggestion', (t) => {
  const error = t.throws(() => loadBrokerConfig({ overrides: ['completely.different.thing=1'] }), { instanceOf: ConfigError });
  t.is(error!.message, 'Unknown config key "completely.different.thing" in --override');
});

const invalidValues: [string, string, RegExp][] = [
  ['num.partitions', 'abc', /Invalid value "abc" for config key "num.partitions" \(from server.properties\): expected an int/],
  ['num.partitions', '0', /expected a value >= 1/],
  ['num.partitions', '2147483648', /expected an int/],
  ['auto.create.topics.enable', 'yes', /expected true or false/],
  ['log.cleanup.policy', 'delete,shred', /expected a non-empty list of \[delete, compact\]/],
  ['compression.type', 'brotli', /expected one of \[uncompressed, zstd, lz4, snappy, gzip, producer\]/],
  ['log.retention.ms', '9223372036854775808', /expected a long/],
  ['listeners', 'localhost:9092', /expected a list of NAME:\/\/host:port/],
  ['log.message.timestamp.type', 'createtime', /expected one of \[CreateTime, LogAppendTime\]/],
];

for (const [key, value, expected] of invalidValues) {
  test(`invalid value: ${key}=${value}`, (t) => {
    const error = t.throws(() => loadBrokerConfig({ file: `${key}=${value}` }), { instanceOf: ConfigError });
    t.regex(error!.message, expected);
  });
}

test('values are trimmed and booleans are case-insensitive', (t) => {
  const cfg = loadBrokerConfig({ file: 'num.partitions =  4  \nauto.create.topics.enable=FALSE\n' });
  t.is(cfg.numPartitions, 4);
  t.false(cfg.autoCreateTopicsEnable);
});

test('retention precedence: ms > minutes > hours', (t) => {
  t.is(loadBrokerConfig({ file: 'log.retention.hours=1' }).logRetentionMs, 3_600_000);
  t.is(loadBrokerConfig({ file: 'log.retention.hours=1\nlog.retention.minutes=2' }).logRetentionMs, 120_000);
  t.is(loadBrokerConfig({ file: 'log.retention.hours=1\nlog.retention.minutes=2\nlog.retention.ms=3' }).logRetentionMs, 3);
  t.is(loadBrokerConfig({ file: 'log.retention.ms=3', env: { KAFKA_LOG_RETENTION_HOURS: '5' } }).logRetentionMs, 3, 'key precedence, not layer precedence');
  t.is(loadBrokerConfig({ file: 'log.retention.ms=-1' }).logRetentionMs, -1);
  t.is(loadBrokerConfig({ file: 'log.retention.hours=-1' }).logRetentionMs, -1);
});

test('log.roll.ms wins over log.roll.hours; Long.MAX clamps to the largest safe number', (t) => {
  t.is(loadBrokerConfig({ file: 'log.roll.hours=2' }).logRollMs, 7_200_000);
  t.is(loadBrokerConfig({ file: 'log.roll.hours=2\nlog.roll.ms=10' }).logRollMs, 10);
  t.is(loadBrokerConfig({ file: 'log.retention.ms=9223372036854775807' }).logRetentionMs, Number.MAX_SAFE_INTEGER);
});

test('log.dirs wins over log.dir', (t) => {
  t.deepEqual(loadBrokerConfig({ file: 'log.dir=/x' }).logDirs, ['/x']);
  t.deepEqual(loadBrokerConfig({ file: 'log.dir=/x\nlog.dirs=/y, /z' }).logDirs, ['/y', '/z']);
  t.is(loadBrokerConfig({ file: 'log.dirs=/y,/z' }).metadataLogDir, '/y');
  t.deepEqual(loadBrokerConfig({ file: 'log.dir=/x', env: { KAFKA_LOG_DIRS: '' } }).logDirs, ['/x'], 'an empty log.dirs falls back');
  t.throws(() => loadBrokerConfig({ file: 'log.dir=' }), { message: /No usable log directory/ });
});

test('broker.id is an alias of node.id and must agree with it', (t) => {
  t.is(loadBrokerConfig({ file: 'broker.id=4' }).nodeId, 4);
  t.is(loadBrokerConfig({ file: 'broker.id=4\nnode.id=4' }).nodeId, 4);
  const error = t.throws(() => loadBrokerConfig({ file: 'broker.id=4\nnode.id=5' }), { instanceOf: ConfigError });
  t.regex(error!.message, /node.id \(5\) and broker.id \(4\) disagree/);
});

test('listeners: names need a security protocol, only PLAINTEXT works, advertised names must exist', (t) => {
  t.throws(() => loadBrokerConfig({ file: 'listeners=FOO://:9092' }), { message: /"FOO" in listeners has no entry in listener.security.protocol.map/ });
  t.throws(() => loadBrokerConfig({ file: 'listeners=SSL://:9093' }), { message: /security protocol SSL; only PLAINTEXT/ });
  t.throws(() => loadBrokerConfig({ file: 'advertised.listeners=CONTROLLER://h:1' }), { message: /not in listeners/ });
  const cfg = loadBrokerConfig({
    file: 'listeners=INTERNAL://:9092,EXTERNAL://[::1]:9094\nlistener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT\n'
      + 'advertised.listeners=EXTERNAL://kafka.example.com:19094\ninter.broker.listener.name=INTERNAL',
  });
  t.deepEqual(cfg.listeners.map((l) => [l.name, l.host, l.port]), [['INTERNAL', '', 9092], ['EXTERNAL', '::1', 9094]]);
  t.deepEqual(cfg.advertisedListeners.map((l) => [l.name, l.host, l.port]), [['EXTERNAL', 'kafka.example.com', 19094]]);
  t.is(cfg.interBrokerListenerName, 'INTERNAL');
});

test('a multi-node controller quorum needs this node among the voters and a controller listener', (t) => {
  const voters = 'controller.quorum.voters=1@a:9093,2@b:9093,3@c:9093';
  t.throws(() => loadBrokerConfig({ file: `${voters}\nnode.id=4` }), { message: /not in controller.quorum.voters/ });
  t.throws(() => loadBrokerConfig({ file: `${voters}\nnode.id=1` }), { message: /needs a listener named in controller.listener.names/ });
  const cfg = loadBrokerConfig({ file: `${voters}\nnode.id=1\nlisteners=PLAINTEXT://:9092,CONTROLLER://:9093` });
  t.deepEqual(cfg.controllerQuorumVoters[1], { id: 2, host: 'b', port: 9093 });
  t.deepEqual(cfg.advertisedListeners.map((l) => l.name), ['PLAINTEXT'], 'controller listeners are not advertised');
});

test('group session timeout bounds must be ordered', (t) => {
  t.throws(() => loadBrokerConfig({ file: 'group.min.session.timeout.ms=10\ngroup.max.session.timeout.ms=5' }), { message: /must not exceed/ });
});

test('an empty tributary.http.listener turns the HTTP server off', (t) => {
  t.is(loadBrokerConfig({ file: 'tributary.http.listener=' }).httpListener, null);
  t.deepEqual(loadBrokerConfig({ file: 'tributary.http.listener=http://:8080' }).httpListener, { host: '0.0.0.0', port: 8080 });
});

test('describeBrokerConfig lists every key with Kafka sources and read-only flags', (t) => {
  const cfg = loadBrokerConfig({ file: 'num.partitions=3', env: { KAFKA_LOG_RETENTION_HOURS: '1' } });
  const described = describeBrokerConfig(cfg);
  t.is(described.length, BROKER_CONFIG_DEFS.size);
  const byName = new Map(described.map((d) => [d.name, d]));
  t.like(byName.get('num.partitions'), { value: '3', source: ConfigSource.STATIC_BROKER_CONFIG, origin: 'file', readOnly: true, isDefault: false });
  t.like(byName.get('log.retention.hours'), { value: '1', source: ConfigSource.STATIC_BROKER_CONFIG, readOnly: false });
  t.like(byName.get('log.retention.ms'), { value: null, source: ConfigSource.DEFAULT_CONFIG, isDefault: true });
  t.deepEqual(described.map((d) => d.name), [...described.map((d) => d.name)].sort());
});

test('dynamic broker configs layer over static ones, per-broker over cluster default', (t) => {
  const cfg = loadBrokerConfig({ file: 'log.retention.hours=1' });
  const dynamic = applyDynamicBrokerConfigs(cfg, {
    clusterDefaults: new Map([['log.retention.hours', '2'], ['message.max.bytes', '100']]),
    perBroker: new Map([['message.max.bytes', '200']]),
  });
  t.is(dynamic.logRetentionMs, 7_200_000);
  t.is(dynamic.messageMaxBytes, 200);
  t.is(dynamic.raw.get('message.max.bytes')!.source, 'dynamic-broker');
  t.like(describeBrokerConfig(dynamic).find((d) => d.name === 'log.retention.hours'), { source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
});

test('checkDynamicBrokerConfig refuses unknown, static-only and invalid values', (t) => {
  t.is(checkDynamicBrokerConfig('log.retention.ms', '1000'), null);
  t.regex(checkDynamicBrokerConfig('num.partitions', '3')!, /Cannot update these configs dynamically: \[num.partitions\]/);
  t.regex(checkDynamicBrokerConfig('log.retention.mss', '3')!, /Unknown broker config name: log.retention.mss \(did you mean log.retention.ms\?\)/);
  t.regex(checkDynamicBrokerConfig('log.retention.ms', 'soon')!, /expected a long/);
});

test('config/server.properties loads and spells out the embedded defaults', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../config/server.properties', import.meta.url), 'utf8');
  const fromFile = loadBrokerConfig({ file: text });
  const builtIn = loadBrokerConfig();
  for (const [key, entry] of fromFile.raw) {
    if (entry.source === 'file') t.is(entry.value, builtIn.raw.get(key)!.value, key);
  }
  const { raw: _a, ...typedFromFile } = fromFile;
  const { raw: _b, ...typedBuiltIn } = builtIn;
  t.deepEqual(typedFromFile, typedBuiltIn);
});
