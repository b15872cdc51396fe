// KafkaTopic reconciliation against a real kube-apiserver + etcd (control-plane.ts) and a real
// Tributary broker process (test/helpers/broker-process.ts), with `spec.bootstrapOverride` pointing
// the operator at the broker. Resources are applied with the real kubectl (server-side apply under a
// "gitops" field manager, as Argo CD or Flux would); the controller's `reconcile` is driven directly,
// and once through the runtime's watch-driven controller. Kafka is checked with the internal
// admin client. The last test stops the broker: keep it last.
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { startBroker, type BrokerProcess } from '../helpers/broker-process.js';
import { KafkaAdmin, ConfigOperation, ConfigResourceType, ConfigSource } from '../../broker/client/admin.js';
import { KafkaClient } from '../../broker/client/client.js';
import { createLogger } from '../../broker/io/logger.js';
import { API_VERSION, type KafkaTopic, type KafkaTopicInput } from '../../operator/api/v1alpha1.js';
import { FIELD_MANAGER, type KubeApi, type KubeObject } from '../../operator/kube/api.js';
import { createKubeApi, loadKubeConfig } from '../../operator/kube/client.js';
import { recordingKubeApi } from '../../operator/kube/recording.js';
import { systemClock } from '../../operator/runtime/clock.js';
import type { ReconcileResult } from '../../operator/runtime/controller.js';
import { APPLIED_CONFIG_ANNOTATION, TOPIC_FINALIZER, kafkaTopicAdminFactory, kafkaTopicController, reconcile, type TopicReconcileDeps } from '../../operator/controllers/kafkatopic/index.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GITOPS_MANAGER = 'gitops-test';
const DELETION_TIMEOUT_MS = 3_000;
const NS = 'default';

let plane: ControlPlane | undefined;
let broker: BrokerProcess | undefined;
let api: KubeApi;
let kafka: KafkaAdmin;
let kafkaClient: KafkaClient;
const logger = createLogger({ level: 'error' });

function cp(): ControlPlane {
  if (!plane) throw new Error('control plane not started (see the before hook failure)');
  return plane;
}

function deps(kube: KubeApi = api): TopicReconcileDeps {
  return {
    api: kube,
    clock: systemClock,
    logger,
    admins: kafkaTopicAdminFactory(systemClock, { timeoutMs: 5_000 }),
    options: { deletionTimeoutMs: DELETION_TIMEOUT_MS, deletionRetryMs: 500 },
  };
}

function kubectlOk(args: string[], input?: string): Promise<string> {
  return cp().kubectlOk(args, input);
}

/** What a GitOps tool would apply: spec only, under its own field manager. */
async function applyTopic(name: string, spec: Omit<KafkaTopicInput['spec'], 'clusterRef' | 'bootstrapOverride'>, namespace = NS): Promise<void> {
  const object: KafkaTopicInput = {
    apiVersion: API_VERSION,
    kind: 'KafkaTopic',
    metadata: { name, namespace },
    spec: { clusterRef: { name: 'local' }, bootstrapOverride: broker!.bootstrap, ...spec },
  };
  await kubectlOk(['apply', '--server-side', `--field-manager=${GITOPS_MANAGER}`, '-f', '-'], JSON.stringify(object));
}

async function getTopic(name: string, namespace = NS): Promise<(KafkaTopic & KubeObject) | null> {
  return api.get<KafkaTopic & KubeObject>({ apiVersion: API_VERSION, kind: 'KafkaTopic', name, namespace });
}

/** Reconciles until the controller stops asking to look again soon (a short requeue = settling). */
async function reconcileSettled(name: string, kube: KubeApi = api): Promise<ReconcileResult> {
  for (let i = 0; i < 10; i++) {
    const result = await reconcile(deps(kube), `${NS}/${name}`);
    if (result.requeueAfterMs === undefined || result.requeueAfterMs > 2_000) return result;
    await new Promise((r) => setTimeout(r, result.requeueAfterMs));
  }
  throw new Error(`${name} did not settle`);
}

async function overrides(topic: string): Promise<Record<string, string>> {
  const [described] = await kafka.describeConfigs([{ type: ConfigResourceType.Topic, name: topic }]);
  return Object.fromEntries((described?.entries ?? []).filter((e) => e.source === ConfigSource.DynamicTopic).map((e) => [e.name, e.value ?? '']));
}

async function partitionsInKafka(topic: string): Promise<{ count: number; topicId: string } | null> {
  const topics = await kafka.listTopics();
  if (!topics.includes(topic)) return null;
  const [d] = await kafka.describeTopics([topic]);
  return { count: d!.partitions.length, topicId: d!.topicId };
}

function condition(resource: KafkaTopic | null, type: string) {
  return resource?.status?.conditions?.find((c) => c.type === type);
}

async function eventsFor(name: string): Promise<string[]> {
  const out = JSON.parse(await kubectlOk(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as {
    items: Array<{ reason: string }>;
  };
  return out.items.map((e) => e.reason);
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test.before(async () => {
  [plane, broker] = await Promise.all([startControlPlane(), startBroker()]);
  await kubectlOk(['apply', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kafkaclusters.tributary.io', 'crd/kafkatopics.tributary.io']);
  api = createKubeApi(loadKubeConfig(plane.kubeconfigPath));
  kafkaClient = new KafkaClient({ bootstrapServers: [broker.bootstrap] });
  kafka = new KafkaAdmin(kafkaClient);
});

test.after.always(async () => {
  await kafkaClient?.close();
  await broker?.stop();
  broker?.cleanup();
  await plane?.stop();
});

test.serial('a KafkaTopic becomes a Kafka topic with its partitions and config; status is Ready with the topic id', async (t) => {
  await applyTopic('orders', { partitions: 3, config: { 'retention.ms': '86400000', 'cleanup.policy': 'delete' } });
  const result = await reconcileSettled('orders');
  t.is(result.requeueAfterMs, 300_000, 'a converged topic is looked at again after the resync period');
  const inKafka = await partitionsInKafka('orders');
  t.is(inKafka?.count, 3);
  t.deepEqual(await overrides('orders'), { 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
  const stored = await getTopic('orders');
  t.like(condition(stored, 'Ready'), { status: 'True', reason: 'TopicReady', observedGeneration: stored?.metadata.generation });
  t.is(stored?.status?.observedGeneration, stored?.metadata.generation);
  t.is(stored?.status?.topicId, inKafka?.topicId);
  t.is(stored?.status?.partitions, 3);
  t.deepEqual(stored?.metadata.finalizers, [TOPIC_FINALIZER]);
  t.truthy(stored?.metadata.annotations?.[APPLIED_CONFIG_ANNOTATION]);
  t.true((await eventsFor('orders')).includes('TopicCreated'));
});

test.serial('the operator owns only status, its finalizer and its annotation, under one field manager', async (t) => {
  const stored = await getTopic('orders');
  const entries = stored?.metadata.managedFields ?? [];
  const touches = (fields: Record<string, unknown> | undefined, path: string[]): boolean => {
    let node: unknown = fields;
    for (const part of path) {
      if (node === null || typeof node !== 'object' || !(part in node)) return false;
      node = (node as Record<string, unknown>)[part];
    }
    return true;
  };
  const managersOf = (path: string[]) => [...new Set(entries.filter((e) => touches(e.fieldsV1, path)).map((e) => e.manager))];
  t.deepEqual(managersOf(['f:status']), [FIELD_MANAGER]);
  t.deepEqual(managersOf(['f:metadata', 'f:finalizers']), [FIELD_MANAGER]);
  t.deepEqual(managersOf(['f:metadata', 'f:annotations', `f:${APPLIED_CONFIG_ANNOTATION}`]), [FIELD_MANAGER]);
  t.deepEqual(managersOf(['f:spec']), [GITOPS_MANAGER], 'the operator never writes the spec');
  t.true(entries.filter((e) => e.manager === FIELD_MANAGER).every((e) => e.operation === 'Apply'), 'server-side apply only');
});

test.serial('a second reconcile of a converged topic writes nothing to the API server', async (t) => {
  const recording = recordingKubeApi(api);
  await reconcile(deps(recording.api), `${NS}/orders`);
  t.deepEqual(recording.writes(), []);
  t.false(recording.calls.some((c) => c.verb === 'emitEvent'));
});

test.serial('growing partitions 3 -> 6 and changing a config value reach the broker', async (t) => {
  await applyTopic('orders', { partitions: 6, config: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } });
  await reconcileSettled('orders');
  t.is((await partitionsInKafka('orders'))?.count, 6);
  t.deepEqual(await overrides('orders'), { 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
  const stored = await getTopic('orders');
  t.is(stored?.status?.partitions, 6);
  t.like(condition(stored, 'Ready'), { status: 'True', reason: 'TopicReady', observedGeneration: stored?.metadata.generation });
});

test.serial('removing a key from the spec deletes it in Kafka because the operator had set it', async (t) => {
  await applyTopic('orders', { partitions: 6, config: { 'retention.ms': '3600000' } });
  await reconcileSettled('orders');
  t.deepEqual(await overrides('orders'), { 'retention.ms': '3600000' });
});

test.serial('Enforce undoes a config change made in Kafka behind the operator\'s back', async (t) => {
  await kafka.incrementalAlterConfigs([{ type: ConfigResourceType.Topic, name: 'orders', ops: [{ name: 'retention.ms', op: ConfigOperation.Set, value: '1000' }] }]);
  t.is((await overrides('orders'))['retention.ms'], '1000');
  await reconcileSettled('orders');
  t.is((await overrides('orders'))['retention.ms'], '3600000');
  t.true((await eventsFor('orders')).includes('DriftReverted'));
  t.is((await getTopic('orders'))?.status?.drift, undefined);
});

test.serial('Report lists a change made in Kafka in status.drift and leaves it; Ready stays True', async (t) => {
  await applyTopic('audit', { partitions: 1, driftPolicy: 'Report', config: { 'retention.ms': '86400000' } });
  await reconcileSettled('audit');
  await kafka.incrementalAlterConfigs([{ type: ConfigResourceType.Topic, name: 'audit', ops: [{ name: 'retention.ms', op: ConfigOperation.Set, value: '1000' }] }]);
  await reconcileSettled('audit');
  t.is((await overrides('audit'))['retention.ms'], '1000', 'Report changes nothing in Kafka');
  const stored = await getTopic('audit');
  t.deepEqual(stored?.status?.drift, [{ field: 'config.retention.ms', desired: '86400000', actual: '1000' }]);
  t.like(condition(stored, 'Ready'), { status: 'True', reason: 'DriftReported' });
});

test.serial('a config value the broker refuses becomes Ready=False with the broker\'s message', async (t) => {
  await applyTopic('badconfig', { partitions: 1, config: { 'retention.ms': 'forever' } });
  const result = await reconcile(deps(), `${NS}/badconfig`);
  t.deepEqual(result, {}, 'an invalid spec is not retried');
  const stored = await getTopic('badconfig');
  const ready = condition(stored, 'Ready');
  t.like(ready, { status: 'False', reason: 'InvalidConfig' });
  t.regex(ready?.message ?? '', /retention\.ms/);
  t.regex(ready?.message ?? '', /Fix spec\.config/);
  t.is(await partitionsInKafka('badconfig'), null);
  await applyTopic('badconfig', { partitions: 1, config: { 'retention.ms': '1000' } });
  await reconcileSettled('badconfig');
  t.like(condition(await getTopic('badconfig'), 'Ready'), { status: 'True', reason: 'TopicReady' });
});

test.serial('an existing topic is only taken over with spec.adopt', async (t) => {
  await kafka.createTopics([{ name: 'legacy', numPartitions: 2, replicationFactor: 1, configs: { 'segment.ms': '600000' } }]);
  await applyTopic('legacy', { partitions: 2 });
  await reconcileSettled('legacy');
  t.like(condition(await getTopic('legacy'), 'Ready'), { status: 'False', reason: 'TopicExists' });
  await applyTopic('legacy', { partitions: 2, adopt: true, config: { 'retention.ms': '7200000' } });
  await reconcileSettled('legacy');
  const stored = await getTopic('legacy');
  t.like(condition(stored, 'Ready'), { status: 'True', reason: 'DriftReported' });
  t.deepEqual(stored?.status?.drift, [{ field: 'config.segment.ms', actual: '600000' }], 'a key somebody else set is reported, not deleted');
  t.deepEqual(await overrides('legacy'), { 'segment.ms': '600000', 'retention.ms': '7200000' });
  t.is(stored?.status?.topicId, (await partitionsInKafka('legacy'))?.topicId);
});

test.serial('deletionPolicy Delete: deleting the KafkaTopic deletes the topic, then the resource goes', async (t) => {
  await kubectlOk(['delete', 'kafkatopic', 'orders', '--wait=false']);
  await reconcile(deps(), `${NS}/orders`);
  t.is(await partitionsInKafka('orders'), null);
  t.is(await getTopic('orders'), null);
});

test.serial('deletionPolicy Retain: the resource goes, the topic stays', async (t) => {
  await applyTopic('audit', { partitions: 1, driftPolicy: 'Report', deletionPolicy: 'Retain', config: { 'retention.ms': '86400000' } });
  await reconcileSettled('audit');
  await kubectlOk(['delete', 'kafkatopic', 'audit', '--wait=false']);
  await reconcile(deps(), `${NS}/audit`);
  t.is(await getTopic('audit'), null);
  t.not(await partitionsInKafka('audit'), null);
});

test.serial('the controller (watch + work queue) reconciles a new KafkaTopic on its own', async (t) => {
  await kubectlOk(['create', 'namespace', 'watched']);
  const controller = kafkaTopicController({
    api,
    clock: systemClock,
    logger,
    namespaces: ['watched'],
    kafkaTimeoutMs: 5_000,
    options: { deletionTimeoutMs: DELETION_TIMEOUT_MS },
  });
  controller.start();
  try {
    await applyTopic('payments', { partitions: 2 }, 'watched');
    const ready = await waitFor('payments Ready', async () => {
      const stored = await getTopic('payments', 'watched');
      return condition(stored, 'Ready')?.status === 'True' ? stored : null;
    });
    t.is(ready.status?.partitions, 2);
    t.is((await partitionsInKafka('payments'))?.count, 2);
    await kubectlOk(['delete', 'kafkatopic', 'payments', '-n', 'watched', '--wait=false']);
    await waitFor('payments gone', async () => (await getTopic('payments', 'watched')) === null);
    t.is(await partitionsInKafka('payments'), null);
  } finally {
    await controller.stop();
  }
});

test.serial('with the broker stopped, a deleted KafkaTopic waits, then its finalizer is released after the timeout', async (t) => {
  await applyTopic('offline', { partitions: 1 });
  await reconcileSettled('offline');
  t.like(condition(await getTopic('offline'), 'Ready'), { status: 'True' });
  await kafkaClient.close();
  await broker!.stop();
  await kubectlOk(['delete', 'kafkatopic', 'offline', '--wait=false']);
  const waiting = await reconcile(deps(), `${NS}/offline`);
  t.true(waiting.requeueAfterMs !== undefined && waiting.requeueAfterMs <= DELETION_TIMEOUT_MS, `requeue ${waiting.requeueAfterMs}`);
  const held = await getTopic('offline');
  t.deepEqual(held?.metadata.finalizers, [TOPIC_FINALIZER], 'the finalizer holds while the timeout runs');
  t.like(condition(held, 'Ready'), { status: 'Unknown', reason: 'ClusterUnreachable' });
  t.like(condition(held, 'Progressing'), { status: 'True', reason: 'Deleting' });
  await new Promise((r) => setTimeout(r, DELETION_TIMEOUT_MS));
  await reconcile(deps(), `${NS}/offline`);
  t.is(await getTopic('offline'), null, 'released: the resource is gone');
  t.true((await eventsFor('offline')).includes('FinalizerReleased'));
});
