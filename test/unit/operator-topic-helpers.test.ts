// The KafkaTopic controller's small pure pieces: where the cluster is (bootstrapOf), which metadata
// the operator owns before and after the actions, the applied-config annotation, condition
// reasons from Kafka error names, and how client failures are classified.
import test from 'ava';
import type { KafkaCluster, KafkaTopic } from '../../operator/api/v1alpha1.js';
import { ConnectionError, RequestTimeoutError } from '../../broker/client/connection.js';
import { BrokerError } from '../../broker/client/errors.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { APPLIED_CONFIG_ANNOTATION, appliedConfigOf, encodeAppliedConfig, readAppliedConfig } from '../../operator/controllers/kafkatopic/applied-config.js';
import { buildConditions, reasonFromErrorName } from '../../operator/controllers/kafkatopic/conditions.js';
import { TOPIC_FINALIZER, type TopicPlan } from '../../operator/controllers/kafkatopic/plan.js';
import { bootstrapOf, metadataAfterActions, metadataBeforeActions, ownedMetadataOf } from '../../operator/controllers/kafkatopic/reconcile.js';
import { KafkaDeadlineError, classifyKafkaFailure } from '../../operator/controllers/kafkatopic/topic-admin.js';

const topic = (spec: Partial<KafkaTopic['spec']> = {}): KafkaTopic => ({
  apiVersion: 'tributary.io/v1alpha1',
  kind: 'KafkaTopic',
  metadata: { name: 'orders', namespace: 'shop' },
  spec: { clusterRef: { name: 'demo' }, partitions: 1, replicas: 1, deletionPolicy: 'Delete', driftPolicy: 'Enforce', adopt: false, ...spec },
});

const cluster = (extra: { listeners?: KafkaCluster['spec']['listeners']; status?: KafkaCluster['status']; deleting?: boolean } = {}): KafkaCluster => ({
  apiVersion: 'tributary.io/v1alpha1',
  kind: 'KafkaCluster',
  metadata: { name: 'demo', namespace: 'shop', ...(extra.deleting ? { deletionTimestamp: '2025-03-01T12:00:00Z' } : {}) },
  spec: {
    brokers: 3,
    storage: { size: '10Gi', deleteClaim: false },
    listeners: extra.listeners ?? [{ name: 'internal', port: 9092, type: 'Internal' }],
    metrics: { enabled: true },
    rebalanceOnScale: false,
  },
  ...(extra.status === undefined ? {} : { status: extra.status }),
});

test('bootstrapOf: spec.bootstrapOverride wins, the KafkaCluster need not exist', (t) => {
  t.deepEqual(bootstrapOf(topic({ bootstrapOverride: '127.0.0.1:9092,127.0.0.1:9093' }), null), { kind: 'servers', servers: ['127.0.0.1:9092', '127.0.0.1:9093'] });
});

test('bootstrapOf: the bootstrap Service of the Internal listener by default', (t) => {
  t.deepEqual(bootstrapOf(topic(), cluster()), { kind: 'servers', servers: ['demo-bootstrap.shop.svc:9092'] });
  const custom = cluster({ listeners: [{ name: 'external', port: 9094, type: 'LoadBalancer' }, { name: 'plain', port: 19092, type: 'Internal' }] });
  t.deepEqual(bootstrapOf(topic(), custom), { kind: 'servers', servers: ['demo-bootstrap.shop.svc:19092'] });
});

test('bootstrapOf: the address the KafkaCluster publishes for its Internal listener is used when present', (t) => {
  const published = cluster({ status: { listeners: [{ name: 'internal', bootstrap: 'demo-kafka-bootstrap.shop.svc.cluster.local:9092' }] } });
  t.deepEqual(bootstrapOf(topic(), published), { kind: 'servers', servers: ['demo-kafka-bootstrap.shop.svc.cluster.local:9092'] });
});

test('bootstrapOf: a missing or deleted KafkaCluster is "gone", with a message naming it', (t) => {
  t.deepEqual(bootstrapOf(topic(), null), { kind: 'clusterGone', message: "KafkaCluster 'demo' does not exist in namespace 'shop'" });
  t.deepEqual(bootstrapOf(topic(), cluster({ deleting: true })), { kind: 'clusterGone', message: "KafkaCluster 'demo' is being deleted" });
});

const planWith = (over: Partial<TopicPlan>): TopicPlan => ({
  actions: [],
  finalizer: 'keep',
  appliedConfig: null,
  appliedConfigWhen: 'afterActions',
  status: null,
  events: [],
  requeue: { backoff: false, afterMs: null },
  ...over,
});

test('owned metadata: on create the finalizer and the applied config are written before the call', (t) => {
  const applied = appliedConfigOf({ 'retention.ms': '1000' });
  const p = planWith({ finalizer: 'add', appliedConfig: applied, appliedConfigWhen: 'beforeActions' });
  const before = metadataBeforeActions({ finalizer: false, appliedConfig: null }, p);
  t.deepEqual(before, { finalizer: true, appliedConfig: encodeAppliedConfig(applied) });
  t.deepEqual(metadataAfterActions(before, p), before, 'nothing more to write afterwards');
});

test('owned metadata: an update records the applied config only after the calls', (t) => {
  const old = encodeAppliedConfig(appliedConfigOf({ 'retention.ms': '1000' }));
  const applied = appliedConfigOf({ 'retention.ms': '2000' });
  const p = planWith({ appliedConfig: applied });
  const before = metadataBeforeActions({ finalizer: true, appliedConfig: old }, p);
  t.deepEqual(before, { finalizer: true, appliedConfig: old });
  t.deepEqual(metadataAfterActions(before, p), { finalizer: true, appliedConfig: encodeAppliedConfig(applied) });
});

test('owned metadata: the finalizer is removed last, the annotation kept', (t) => {
  const old = encodeAppliedConfig({});
  const p = planWith({ finalizer: 'remove' });
  const before = metadataBeforeActions({ finalizer: true, appliedConfig: old }, p);
  t.deepEqual(before, { finalizer: true, appliedConfig: old }, 'still protected while the topic is deleted');
  t.deepEqual(metadataAfterActions(before, p), { finalizer: false, appliedConfig: old });
});

test('ownedMetadataOf reads our finalizer among others and the annotation', (t) => {
  const r = topic();
  r.metadata.finalizers = ['example.com/other', TOPIC_FINALIZER];
  r.metadata.annotations = { [APPLIED_CONFIG_ANNOTATION]: '{}', other: 'x' };
  t.deepEqual(ownedMetadataOf(r), { finalizer: true, appliedConfig: '{}' });
  t.deepEqual(ownedMetadataOf(topic()), { finalizer: false, appliedConfig: null });
});

test('the applied-config annotation round-trips, sorted, and reads a corrupt value as "nothing applied"', (t) => {
  const text = encodeAppliedConfig(appliedConfigOf({ 'segment.ms': '1', 'retention.ms': '2' }));
  t.is(text, '{"retention.ms":"2","segment.ms":"1"}');
  t.deepEqual(readAppliedConfig({ [APPLIED_CONFIG_ANNOTATION]: text }), { 'retention.ms': '2', 'segment.ms': '1' });
  t.is(readAppliedConfig({}), null);
  t.deepEqual(readAppliedConfig({ [APPLIED_CONFIG_ANNOTATION]: 'not json' }), {});
  t.deepEqual(readAppliedConfig({ [APPLIED_CONFIG_ANNOTATION]: '["a"]' }), {});
});

test('condition reasons are CamelCase forms of Kafka error names', (t) => {
  t.is(reasonFromErrorName('INVALID_CONFIG'), 'InvalidConfig');
  t.is(reasonFromErrorName('TOPIC_DELETION_DISABLED'), 'TopicDeletionDisabled');
  t.is(reasonFromErrorName('UNKNOWN_ERROR_CODE_999'), 'UnknownErrorCode999');
});

test('buildConditions orders Ready, Progressing, Degraded and writes whole-second times', (t) => {
  const drafts = {
    Ready: { status: 'True', reason: 'TopicReady', message: 'ok' },
    Progressing: { status: 'False', reason: 'Reconciled', message: 'ok' },
    Degraded: { status: 'False', reason: 'AsExpected', message: 'ok' },
  } as const;
  const conditions = buildConditions(undefined, drafts, 7, Date.parse('2025-03-01T12:00:00.987Z'));
  t.deepEqual(conditions.map((c) => c.type), ['Ready', 'Progressing', 'Degraded']);
  t.true(conditions.every((c) => c.lastTransitionTime === '2025-03-01T12:00:00Z' && c.observedGeneration === 7));
});

test('classifyKafkaFailure: refusals keep the broker message and retriability; no connection is "unreachable"', (t) => {
  t.deepEqual(classifyKafkaFailure(new BrokerError(ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.mss.', 'orders')), {
    kind: 'refused',
    failure: { errorName: 'INVALID_CONFIG', message: 'Unknown topic config name: retention.mss', retriable: false },
  });
  const notController = classifyKafkaFailure(new BrokerError(ErrorCode.NOT_CONTROLLER));
  t.true(notController?.kind === 'refused' && notController.failure.retriable);
  t.is(classifyKafkaFailure(new ConnectionError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'))?.kind, 'unreachable');
  t.is(classifyKafkaFailure(new RequestTimeoutError('timed out'))?.kind, 'unreachable');
  t.is(classifyKafkaFailure(new KafkaDeadlineError('no answer'))?.kind, 'unreachable');
  t.is(classifyKafkaFailure(new TypeError('a bug')), null);
});
