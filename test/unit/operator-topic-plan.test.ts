// The KafkaTopic planner (operator/controllers/kafkatopic/plan.ts), table-driven: each row is one
// situation (the resource, what Kafka shows, maybe a failed admin call, the time) and what the plan
// must say (admin calls, finalizer, applied config, conditions, drift, events, requeue).
import test from 'ava';
import type { KafkaTopic, KafkaTopicStatus } from '../../operator/api/v1alpha1.js';
import { APPLIED_CONFIG_ANNOTATION, appliedConfigOf, encodeAppliedConfig } from '../../operator/controllers/kafkatopic/applied-config.js';
import {
  type ActionFailure,
  type Observation,
  type ObservedTopic,
  type PlanOptions,
  type TopicAction,
  type TopicPlan,
  TOPIC_FINALIZER,
  formatDuration,
  plan,
} from '../../operator/controllers/kafkatopic/plan.js';

const NOW_MS = Date.parse('2025-03-01T12:00:00Z');
const TOPIC_ID = 'q1Sh-9_ISia_zwGINzRvyQ';
const SPEC_CONFIG = { 'retention.ms': '86400000', 'cleanup.policy': 'delete' };

interface ResourceShape {
  spec?: Partial<KafkaTopic['spec']>;
  status?: KafkaTopicStatus;
  /** The applied config to record in the annotation; null: no annotation. */
  applied?: Record<string, string> | null;
  finalizer?: boolean;
  deletionTimestamp?: string;
}

function resource(shape: ResourceShape = {}): KafkaTopic {
  const annotations = shape.applied === undefined || shape.applied === null ? undefined : { [APPLIED_CONFIG_ANNOTATION]: encodeAppliedConfig(appliedConfigOf(shape.applied)) };
  return {
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'KafkaTopic',
    metadata: {
      name: 'orders',
      namespace: 'shop',
      generation: 4,
      ...(annotations === undefined ? {} : { annotations }),
      ...(shape.finalizer === false ? {} : { finalizers: [TOPIC_FINALIZER] }),
      ...(shape.deletionTimestamp === undefined ? {} : { deletionTimestamp: shape.deletionTimestamp }),
    },
    spec: { clusterRef: { name: 'demo' }, partitions: 3, replicas: 1, config: SPEC_CONFIG, deletionPolicy: 'Delete', driftPolicy: 'Enforce', adopt: false, ...shape.spec },
    ...(shape.status === undefined ? {} : { status: shape.status }),
  };
}

/** A resource whose topic this operator created: status knows the id, the annotation the config. */
function owned(shape: ResourceShape = {}): KafkaTopic {
  return resource({ applied: shape.spec?.config ?? SPEC_CONFIG, status: { topicId: TOPIC_ID, topicName: 'orders', partitions: 3 }, ...shape });
}

function inKafka(topic: Partial<ObservedTopic> = {}): Observation {
  return { kind: 'present', topic: { name: 'orders', topicId: TOPIC_ID, partitions: 3, replicationFactor: 1, configs: SPEC_CONFIG, ...topic } };
}

const absent: Observation = { kind: 'absent' };
const unreachable: Observation = { kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:9092' };

interface Expected {
  actions?: TopicAction[];
  finalizer?: TopicPlan['finalizer'];
  /** The applied config recorded (null: left as is), and when. */
  applied?: Record<string, string> | null;
  appliedWhen?: TopicPlan['appliedConfigWhen'];
  ready?: [status: string, reason: string];
  degraded?: [status: string, reason: string];
  progressing?: [status: string, reason: string];
  /** Substrings the Ready message must contain. */
  readyMessage?: string[];
  drift?: NonNullable<KafkaTopicStatus['drift']>;
  topicId?: string;
  /** null: no status to write. */
  status?: null;
  events?: string[];
  requeue?: TopicPlan['requeue'];
}

interface Row {
  behaviour: string;
  resource: KafkaTopic;
  observation: Observation;
  failure?: ActionFailure;
  nowMs?: number;
  options?: Partial<PlanOptions>;
  expect: Expected;
}

const RESYNC = { backoff: false, afterMs: 300_000 };
const BACKOFF = { backoff: true, afterMs: null };
const NONE = { backoff: false, afterMs: null };
const invalidConfig: ActionFailure = {
  action: 'alterConfigs',
  errorName: 'INVALID_CONFIG',
  message: 'Invalid value forever for configuration retention.ms: expected a long',
  retriable: false,
};
const deletingSince = (agoMs: number) => new Date(NOW_MS - agoMs).toISOString();

const rows: Row[] = [
  // ---- creation and adoption
  {
    behaviour: 'an absent topic is created with the spec, the applied config recorded before the call',
    resource: resource({ finalizer: false }),
    observation: absent,
    expect: {
      actions: [{ type: 'create', topic: 'orders', partitions: 3, replicas: 1, configs: SPEC_CONFIG }],
      finalizer: 'add',
      applied: SPEC_CONFIG,
      appliedWhen: 'beforeActions',
      events: ['TopicCreated'],
    },
  },
  {
    behaviour: 'spec.topicName names the Kafka topic',
    resource: resource({ spec: { topicName: 'Orders_v2', config: {} } }),
    observation: absent,
    expect: { actions: [{ type: 'create', topic: 'Orders_v2', partitions: 3, replicas: 1, configs: {} }], finalizer: 'keep' },
  },
  {
    behaviour: 'a topic deleted behind the operator\'s back is created again, with a Warning',
    resource: owned(),
    observation: absent,
    expect: { actions: [{ type: 'create', topic: 'orders', partitions: 3, replicas: 1, configs: SPEC_CONFIG }], events: ['TopicRecreated', 'TopicCreated'] },
  },
  {
    behaviour: 'an existing topic is not taken over without spec.adopt',
    resource: resource(),
    observation: inKafka({ configs: { 'retention.ms': '1000' } }),
    expect: {
      actions: [],
      applied: null,
      ready: ['False', 'TopicExists'],
      degraded: ['True', 'TopicExists'],
      readyMessage: ['already exists', 'spec.adopt: true'],
      events: ['TopicExists'],
      requeue: RESYNC,
    },
  },
  {
    behaviour: 'a topic that replaced the one this resource managed is not taken over either',
    resource: owned(),
    observation: inKafka({ topicId: 'other-id' }),
    expect: { actions: [], ready: ['False', 'TopicRecreatedOutside'], topicId: TOPIC_ID, readyMessage: ['other-id', 'spec.adopt: true'] },
  },
  {
    behaviour: 'with spec.adopt the existing topic is adopted: spec keys set, foreign keys kept and reported',
    resource: resource({ spec: { adopt: true, partitions: 4 } }),
    observation: inKafka({ configs: { 'retention.ms': '1000', 'segment.bytes': '1048576' } }),
    expect: {
      actions: [
        { type: 'createPartitions', topic: 'orders', count: 4 },
        { type: 'alterConfigs', topic: 'orders', set: SPEC_CONFIG, delete: [] },
      ],
      applied: SPEC_CONFIG,
      appliedWhen: 'afterActions',
      drift: [{ field: 'config.segment.bytes', actual: '1048576' }],
      events: ['TopicAdopted', 'PartitionsIncreased', 'ConfigUpdated'],
    },
  },
  {
    behaviour: 'a topic whose create went out but whose status was never written is recognised by the annotation',
    resource: resource({ applied: SPEC_CONFIG }),
    observation: inKafka(),
    expect: { actions: [], ready: ['True', 'TopicReady'], topicId: TOPIC_ID, events: [] },
  },
  // ---- converging
  {
    behaviour: 'a converged topic needs nothing and is looked at again after the resync period',
    resource: owned(),
    observation: inKafka(),
    expect: {
      actions: [],
      finalizer: 'keep',
      ready: ['True', 'TopicReady'],
      progressing: ['False', 'Reconciled'],
      degraded: ['False', 'AsExpected'],
      events: [],
      requeue: RESYNC,
    },
  },
  {
    behaviour: 'a missing finalizer is added to a live resource',
    resource: owned({ finalizer: false }),
    observation: inKafka(),
    expect: { actions: [], finalizer: 'add' },
  },
  {
    behaviour: 'more partitions in the spec grow the topic',
    resource: owned({ spec: { partitions: 6 } }),
    observation: inKafka(),
    expect: { actions: [{ type: 'createPartitions', topic: 'orders', count: 6 }], events: ['PartitionsIncreased'] },
  },
  ...(['Enforce', 'Report', 'Ignore'] as const).map((driftPolicy): Row => ({
    behaviour: `a spec config change is applied under driftPolicy ${driftPolicy} (it is not drift)`,
    resource: owned({ spec: { driftPolicy, config: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } }, applied: SPEC_CONFIG }),
    observation: inKafka(),
    expect: {
      actions: [{ type: 'alterConfigs', topic: 'orders', set: { 'retention.ms': '3600000' }, delete: [] }],
      applied: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' },
      events: ['ConfigUpdated'],
    },
  })),
  {
    behaviour: 'a key removed from the spec that the operator set is deleted in Kafka',
    resource: owned({ spec: { config: { 'retention.ms': '86400000' } }, applied: SPEC_CONFIG }),
    observation: inKafka(),
    expect: { actions: [{ type: 'alterConfigs', topic: 'orders', set: {}, delete: ['cleanup.policy'] }], applied: { 'retention.ms': '86400000' } },
  },
  {
    behaviour: 'Enforce sets a value changed in Kafka back to the spec',
    resource: owned(),
    observation: inKafka({ configs: { ...SPEC_CONFIG, 'retention.ms': '1000' } }),
    expect: { actions: [{ type: 'alterConfigs', topic: 'orders', set: { 'retention.ms': '86400000' }, delete: [] }], events: ['DriftReverted'] },
  },
  {
    behaviour: 'Enforce sets again a spec key deleted in Kafka',
    resource: owned(),
    observation: inKafka({ configs: { 'retention.ms': '86400000' } }),
    expect: { actions: [{ type: 'alterConfigs', topic: 'orders', set: { 'cleanup.policy': 'delete' }, delete: [] }] },
  },
  {
    behaviour: 'Enforce leaves keys that others set in Kafka and lists them as drift, Ready stays True',
    resource: owned(),
    observation: inKafka({ configs: { ...SPEC_CONFIG, 'segment.ms': '60000' } }),
    expect: {
      actions: [],
      ready: ['True', 'DriftReported'],
      drift: [{ field: 'config.segment.ms', actual: '60000' }],
      readyMessage: ['config.segment.ms', 'add them to spec.config'],
    },
  },
  {
    behaviour: 'Report lists a value changed in Kafka in status.drift and changes nothing; Ready stays True',
    resource: owned({ spec: { driftPolicy: 'Report' } }),
    observation: inKafka({ configs: { 'retention.ms': '1000', 'segment.ms': '60000' } }),
    expect: {
      actions: [],
      ready: ['True', 'DriftReported'],
      degraded: ['False', 'AsExpected'],
      drift: [
        { field: 'config.cleanup.policy', desired: 'delete' },
        { field: 'config.retention.ms', desired: '86400000', actual: '1000' },
        { field: 'config.segment.ms', actual: '60000' },
      ],
      readyMessage: ['driftPolicy Report', 'see status.drift'],
      events: [],
    },
  },
  {
    behaviour: 'Ignore neither changes nor reports a value changed in Kafka',
    resource: owned({ spec: { driftPolicy: 'Ignore' } }),
    observation: inKafka({ configs: { 'retention.ms': '1000', 'segment.ms': '60000' }, partitions: 5 }),
    expect: { actions: [], ready: ['True', 'TopicReady'], drift: [], degraded: ['False', 'AsExpected'] },
  },
  {
    behaviour: 'partitions added outside the operator under Enforce: drift plus Degraded saying to raise spec.partitions',
    resource: owned(),
    observation: inKafka({ partitions: 8 }),
    expect: {
      actions: [],
      ready: ['True', 'SpecNotFullyApplied'],
      degraded: ['True', 'PartitionsAboveSpec'],
      drift: [{ field: 'partitions', desired: '3', actual: '8' }],
      events: ['PartitionsAboveSpec'],
    },
  },
  {
    behaviour: 'partitions added outside the operator under Report: drift only',
    resource: owned({ spec: { driftPolicy: 'Report' } }),
    observation: inKafka({ partitions: 8 }),
    expect: { actions: [], ready: ['True', 'DriftReported'], degraded: ['False', 'AsExpected'], drift: [{ field: 'partitions', desired: '3', actual: '8' }] },
  },
  {
    behaviour: 'a replication factor change is refused with a condition (reassignment comes later)',
    resource: owned({ spec: { replicas: 3 } }),
    observation: inKafka(),
    expect: {
      actions: [],
      ready: ['True', 'SpecNotFullyApplied'],
      degraded: ['True', 'ReplicationFactorChangeUnsupported'],
      drift: [{ field: 'replicas', desired: '3', actual: '1' }],
      events: ['ReplicationFactorChangeUnsupported'],
    },
  },
  // ---- the cluster cannot be asked, or refuses
  {
    behaviour: 'an unreachable cluster makes Ready Unknown, keeps what the status knew and retries with back-off',
    resource: owned(),
    observation: unreachable,
    expect: {
      actions: [],
      ready: ['Unknown', 'ClusterUnreachable'],
      progressing: ['True', 'Retrying'],
      topicId: TOPIC_ID,
      readyMessage: ['ECONNREFUSED'],
      events: ['ClusterUnreachable'],
      requeue: BACKOFF,
    },
  },
  {
    behaviour: 'a missing KafkaCluster is a condition saying what to do',
    resource: owned(),
    observation: { kind: 'clusterGone', message: "KafkaCluster 'demo' does not exist in namespace 'shop'" },
    expect: { actions: [], ready: ['False', 'ClusterNotFound'], readyMessage: ['does not exist', 'spec.bootstrapOverride'], requeue: BACKOFF },
  },
  {
    behaviour: 'INVALID_CONFIG from the broker becomes Ready=False with the broker\'s message, not retried',
    resource: owned(),
    observation: inKafka(),
    failure: invalidConfig,
    expect: {
      actions: [],
      applied: null,
      ready: ['False', 'InvalidConfig'],
      progressing: ['False', 'InvalidConfig'],
      degraded: ['True', 'InvalidConfig'],
      readyMessage: ['Invalid value forever for configuration retention.ms', 'INVALID_CONFIG', 'Fix spec.config'],
      events: ['InvalidConfig'],
      requeue: NONE,
    },
  },
  {
    behaviour: 'INVALID_REPLICATION_FACTOR on create says how many replicas are possible',
    resource: resource({ spec: { replicas: 3 } }),
    observation: absent,
    failure: { action: 'create', errorName: 'INVALID_REPLICATION_FACTOR', message: 'Unable to replicate the partition 3 time(s): only 1 broker', retriable: false },
    expect: { ready: ['False', 'InvalidReplicationFactor'], readyMessage: ['only 1 broker', 'at most the number of brokers'], requeue: NONE },
  },
  {
    behaviour: 'a retriable broker error is retried with back-off',
    resource: owned({ spec: { partitions: 6 } }),
    observation: inKafka(),
    failure: { action: 'createPartitions', errorName: 'NOT_CONTROLLER', message: 'This is not the active controller', retriable: true },
    expect: { ready: ['False', 'NotController'], progressing: ['True', 'Retrying'], requeue: BACKOFF },
  },
  {
    behaviour: 'the same failure again emits no second Event',
    resource: owned({ status: { topicId: TOPIC_ID, conditions: [{ type: 'Ready', status: 'False', reason: 'InvalidConfig', message: 'x', lastTransitionTime: '2025-03-01T11:00:00Z' }] } }),
    observation: inKafka(),
    failure: invalidConfig,
    expect: { ready: ['False', 'InvalidConfig'], events: [] },
  },
  // ---- deletion
  {
    behaviour: 'deletionPolicy Delete deletes the topic, then the finalizer goes',
    resource: owned({ deletionTimestamp: deletingSince(1_000) }),
    observation: inKafka(),
    expect: { actions: [{ type: 'delete', topic: 'orders' }], finalizer: 'remove', status: null, events: ['TopicDeleted'], requeue: NONE },
  },
  {
    behaviour: 'deletionPolicy Retain only removes the finalizer',
    resource: owned({ spec: { deletionPolicy: 'Retain' }, deletionTimestamp: deletingSince(1_000) }),
    observation: inKafka(),
    expect: { actions: [], finalizer: 'remove', events: ['TopicRetained'] },
  },
  {
    behaviour: 'Retain releases at once even when the cluster is unreachable',
    resource: owned({ spec: { deletionPolicy: 'Retain' }, deletionTimestamp: deletingSince(1_000) }),
    observation: unreachable,
    expect: { actions: [], finalizer: 'remove' },
  },
  {
    behaviour: 'a topic already gone from Kafka just releases the finalizer',
    resource: owned({ deletionTimestamp: deletingSince(1_000) }),
    observation: absent,
    expect: { actions: [], finalizer: 'remove', events: [] },
  },
  {
    behaviour: 'a topic this resource never owned is never deleted',
    resource: resource({ deletionTimestamp: deletingSince(1_000) }),
    observation: inKafka(),
    expect: { actions: [], finalizer: 'remove', events: ['TopicNotDeleted'] },
  },
  {
    behaviour: 'a deletion waits for an unreachable cluster, no longer than the timeout',
    resource: owned({ deletionTimestamp: deletingSince(60_000) }),
    observation: unreachable,
    expect: {
      actions: [],
      finalizer: 'keep',
      ready: ['Unknown', 'ClusterUnreachable'],
      progressing: ['True', 'Deleting'],
      readyMessage: ['2025-03-01T12:04:00Z', '5m0s'],
      requeue: { backoff: true, afterMs: 240_000 },
    },
  },
  {
    behaviour: 'past the timeout the finalizer is released and the condition and an Event say so',
    resource: owned({ deletionTimestamp: deletingSince(300_000) }),
    observation: unreachable,
    expect: {
      actions: [],
      finalizer: 'remove',
      ready: ['False', 'FinalizerReleased'],
      degraded: ['True', 'ClusterUnreachable'],
      readyMessage: ['after 5m0s', 'may still exist', 'ECONNREFUSED'],
      events: ['FinalizerReleased'],
    },
  },
  {
    behaviour: 'the deletion timeout is configurable',
    resource: owned({ deletionTimestamp: deletingSince(2_000) }),
    observation: unreachable,
    options: { deletionTimeoutMs: 1_500 },
    expect: { finalizer: 'remove', readyMessage: ['after 1.5s'] },
  },
  {
    behaviour: 'a broker refusing the deletion holds the finalizer until the timeout',
    resource: owned({ deletionTimestamp: deletingSince(10_000) }),
    observation: inKafka(),
    failure: { action: 'delete', errorName: 'TOPIC_DELETION_DISABLED', message: 'Topic deletion is disabled', retriable: false },
    expect: { actions: [], finalizer: 'keep', ready: ['False', 'TopicDeletionDisabled'], readyMessage: ['delete.topic.enable'] },
  },
  {
    behaviour: 'a broker refusing the deletion past the timeout releases the finalizer',
    resource: owned({ deletionTimestamp: deletingSince(400_000) }),
    observation: inKafka(),
    failure: { action: 'delete', errorName: 'TOPIC_DELETION_DISABLED', message: 'Topic deletion is disabled', retriable: false },
    expect: { finalizer: 'remove', ready: ['False', 'FinalizerReleased'] },
  },
  {
    behaviour: 'a KafkaCluster that is gone releases the finalizer at once',
    resource: owned({ deletionTimestamp: deletingSince(1_000) }),
    observation: { kind: 'clusterGone', message: "KafkaCluster 'demo' is being deleted" },
    expect: { actions: [], finalizer: 'remove', events: ['ClusterGone'] },
  },
  {
    behaviour: 'a deleted resource without the finalizer needs nothing',
    resource: owned({ finalizer: false, deletionTimestamp: deletingSince(1_000) }),
    observation: inKafka(),
    expect: { actions: [], finalizer: 'keep', status: null, events: [] },
  },
];

function condition(p: TopicPlan, type: string) {
  return p.status?.conditions?.find((c) => c.type === type);
}

for (const row of rows) {
  test(`plan: ${row.behaviour}`, (t) => {
    const p = plan({
      resource: row.resource,
      observation: row.observation,
      nowMs: row.nowMs ?? NOW_MS,
      ...(row.failure === undefined ? {} : { failure: row.failure }),
      ...(row.options === undefined ? {} : { options: row.options }),
    });
    const e = row.expect;
    if (e.actions !== undefined) t.deepEqual(p.actions, e.actions, 'actions');
    if (e.finalizer !== undefined) t.is(p.finalizer, e.finalizer, 'finalizer');
    if (e.applied !== undefined) t.deepEqual(p.appliedConfig, e.applied === null ? null : appliedConfigOf(e.applied), 'applied config');
    if (e.appliedWhen !== undefined) t.is(p.appliedConfigWhen, e.appliedWhen);
    if (e.status === null) t.is(p.status, null, 'no status');
    for (const [type, want] of [['Ready', e.ready], ['Progressing', e.progressing], ['Degraded', e.degraded]] as const) {
      if (want === undefined) continue;
      const c = condition(p, type);
      t.deepEqual([c?.status, c?.reason], [...want], `${type}: ${c?.message}`);
    }
    for (const part of e.readyMessage ?? []) t.true(condition(p, 'Ready')?.message.includes(part), `Ready message lacks "${part}": ${condition(p, 'Ready')?.message}`);
    if (e.drift !== undefined) t.deepEqual(p.status?.drift ?? [], e.drift, 'drift');
    if (e.topicId !== undefined) t.is(p.status?.topicId, e.topicId);
    if (e.events !== undefined) t.deepEqual(p.events.map((ev) => ev.reason), e.events, 'events');
    if (e.requeue !== undefined) t.deepEqual(p.requeue, e.requeue, 'requeue');
  });
}

test('every condition and the status carry the generation they were computed from', (t) => {
  for (const row of rows) {
    const p = plan({ resource: row.resource, observation: row.observation, nowMs: NOW_MS, ...(row.failure === undefined ? {} : { failure: row.failure }) });
    if (p.status === null) continue;
    t.is(p.status.observedGeneration, 4, row.behaviour);
    t.is(p.status.conditions?.length, 3, row.behaviour);
    for (const c of p.status.conditions ?? []) {
      t.is(c.observedGeneration, 4, `${row.behaviour}: ${c.type}`);
      t.regex(c.reason, /^[A-Z][A-Za-z0-9]*$/, `${row.behaviour}: CamelCase reason`);
      t.true(c.message.length > 0);
    }
  }
});

test('planning again over the status just written yields the same status (nothing to write) and no events', (t) => {
  const first = plan({ resource: owned({ spec: { driftPolicy: 'Report' } }), observation: inKafka({ partitions: 8, configs: { 'retention.ms': '1' } }), nowMs: NOW_MS });
  const later = owned({ spec: { driftPolicy: 'Report' }, status: first.status! });
  const second = plan({ resource: later, observation: inKafka({ partitions: 8, configs: { 'retention.ms': '1' } }), nowMs: NOW_MS + 60_000 });
  t.deepEqual(second.status, first.status);
  t.deepEqual(second.events, []);
});

test('lastTransitionTime moves only when a condition\'s status changes', (t) => {
  const first = plan({ resource: owned(), observation: inKafka(), nowMs: NOW_MS });
  const unreachableLater = plan({ resource: owned({ status: first.status! }), observation: unreachable, nowMs: NOW_MS + 90_000 });
  const ready = (p: TopicPlan) => condition(p, 'Ready')?.lastTransitionTime;
  t.is(ready(first), '2025-03-01T12:00:00Z');
  t.is(ready(unreachableLater), '2025-03-01T12:01:30Z');
  const readyAgain = plan({ resource: owned({ status: first.status! }), observation: inKafka({ configs: { ...SPEC_CONFIG, 'x.y': '1' } }), nowMs: NOW_MS + 90_000 });
  t.is(condition(readyAgain, 'Ready')?.reason, 'DriftReported');
  t.is(ready(readyAgain), '2025-03-01T12:00:00Z', 'True -> True with another reason keeps the time');
});

test('a long config value is tracked by fingerprint, and a change to it is still seen', (t) => {
  const long = 'x'.repeat(500);
  const applied = appliedConfigOf({ 'follower.replication.throttled.replicas': long });
  t.regex(applied['follower.replication.throttled.replicas']!, /^fnv1a64:[0-9a-f]{16}$/);
  const r = owned({ spec: { config: { 'follower.replication.throttled.replicas': `${long}y` } }, applied: { 'follower.replication.throttled.replicas': long } });
  const p = plan({ resource: r, observation: inKafka({ configs: { 'follower.replication.throttled.replicas': long } }), nowMs: NOW_MS, options: {} });
  t.deepEqual(p.actions, [{ type: 'alterConfigs', topic: 'orders', set: { 'follower.replication.throttled.replicas': `${long}y` }, delete: [] }]);
});

test('formatDuration reads like kubectl durations', (t) => {
  t.is(formatDuration(300_000), '5m0s');
  t.is(formatDuration(90_500), '1m30.5s');
  t.is(formatDuration(1_500), '1.5s');
  t.is(formatDuration(3_600_000), '1h0m0s');
});

test('a value from Kafka longer than the CRD allows is cut in status.drift, so the status write cannot be refused', (t) => {
  const p = plan({ resource: owned({ spec: { driftPolicy: 'Report' } }), observation: inKafka({ configs: { ...SPEC_CONFIG, 'leader.replication.throttled.replicas': '*'.repeat(5000) } }), nowMs: NOW_MS });
  const entry = p.status?.drift?.find((d) => d.field === 'config.leader.replication.throttled.replicas');
  t.is(entry?.actual?.length, 4096);
  t.true(entry?.actual?.endsWith('...'));
});
