// Rolling restart of a KafkaCluster against a real kube-apiserver + etcd (control-plane.ts) and a
// real Tributary broker process (test/helpers/broker-process.ts) that the operator asks over the
// Kafka protocol, pointed at it by the `tributary.io/bootstrap-override` annotation.
//
// No kubelet and no kube-controller-manager run here, so the test plays both, through the API:
// it sets the StatefulSet's status (observedGeneration, updateRevision) as the StatefulSet
// controller would, creates the broker Pods from the StatefulSet's template with their
// `controller-revision-hash` label, and marks them Ready through the pods' status subresource as
// the kubelet would. Between steps it recreates the pod the operator deleted (OnDelete) and marks it
// Ready. What is real: the operator's reads, applies, pod deletions and status writes as the API
// server validates and stores them; the Kafka side (Metadata, DescribeCluster, DescribeConfigs, the
// ApiVersions that say DescribeQuorum is missing, so the quorum comes from the cluster config).
// The single real broker has node.id 1, so it is the active controller: it restarts last.
// Needs `npm run setup:k8s` once.
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { startBroker, freePort, type BrokerProcess } from '../helpers/broker-process.js';
import { KafkaAdmin } from '../../broker/client/admin.js';
import { KafkaClient } from '../../broker/client/client.js';
import { silentLogger } from '../../broker/io/logger.js';
import { API_VERSION, type KafkaCluster, type KafkaClusterInput } from '../../operator/api/v1alpha1.js';
import type { KubeApi, KubeObject } from '../../operator/kube/api.js';
import { createKubeApi, loadKubeConfig } from '../../operator/kube/client.js';
import { recordingKubeApi, type RecordingKubeApi } from '../../operator/kube/recording.js';
import { systemClock } from '../../operator/runtime/clock.js';
import {
  BOOTSTRAP_OVERRIDE_ANNOTATION, kafkaClusterObserverFactory, reconcileKafkaCluster, type KafkaClusterDeps, type ReconcileReport,
} from '../../operator/controllers/kafkacluster/index.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NS = 'rolling';

let controlPlane: ControlPlane | undefined;
let broker: BrokerProcess | undefined;
let api: KubeApi;
let recorder: RecordingKubeApi;
let deps: KafkaClusterDeps;

function plane(): ControlPlane {
  if (!controlPlane) throw new Error('control plane not started (see the before hook failure)');
  return controlPlane;
}

function kubectlOk(args: string[], input?: string): Promise<string> {
  return plane().kubectlOk(args, input);
}

/** The user's apply (their own field manager): spec plus the bootstrap-override annotation. */
async function userApply(name: string, bootstrap: string, config: Record<string, string>): Promise<void> {
  const object: KafkaClusterInput = {
    apiVersion: API_VERSION,
    kind: 'KafkaCluster',
    metadata: { name, namespace: NS, annotations: { [BOOTSTRAP_OVERRIDE_ANNOTATION]: bootstrap } },
    spec: { brokers: 3, image: 'ghcr.io/example/tributary:0.1.0', config },
  };
  await kubectlOk(['apply', '--server-side', '--field-manager=platform-team', '-f', '-'], JSON.stringify(object));
}

async function get<T = KubeObject & Record<string, any>>(apiVersion: string, kind: string, name: string): Promise<T | null> {
  return (await api.get({ apiVersion, kind, namespace: NS, name })) as T | null;
}

async function getCluster(name: string): Promise<KafkaCluster & KubeObject> {
  const c = await get<KafkaCluster & KubeObject>(API_VERSION, 'KafkaCluster', name);
  if (!c) throw new Error(`KafkaCluster ${name} is gone`);
  return c;
}

/** Plays the StatefulSet controller: it has seen the current generation; pods are created at `revision`. */
async function statefulSetControllerSaw(name: string, revision: string): Promise<void> {
  const sts = await get('apps/v1', 'StatefulSet', name);
  const status = { observedGeneration: sts!.metadata.generation, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: revision, updateRevision: revision };
  await kubectlOk(['-n', NS, 'patch', 'statefulset', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

/** Plays the StatefulSet controller (create the pod from the template) and the kubelet (readiness). */
async function createPod(cluster: string, ordinal: number, revision: string, ready: boolean): Promise<void> {
  const template = (await get('apps/v1', 'StatefulSet', cluster))!['spec'].template;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${cluster}-${ordinal}`,
      namespace: NS,
      labels: { ...template.metadata.labels, 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': `${cluster}-${ordinal}` },
      annotations: template.metadata.annotations,
    },
    spec: { containers: template.spec.containers.map((c: { name: string; image: string }) => ({ name: c.name, image: c.image })) },
  };
  await kubectlOk(['create', '-f', '-'], JSON.stringify(pod));
  await setReady(`${cluster}-${ordinal}`, ready);
}

async function setReady(pod: string, ready: boolean): Promise<void> {
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] };
  await kubectlOk(['-n', NS, 'patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

async function podNames(): Promise<string[]> {
  return (await api.list('v1', 'Pod', NS)).map((p) => p.metadata.name ?? '').sort();
}

const reconcile = (name: string): Promise<ReconcileReport> => reconcileKafkaCluster(deps, `${NS}/${name}`);
const podDeletions = (report: ReconcileReport) => report.written.filter((w) => w.startsWith('-Pod/'));

test.before(async () => {
  controlPlane = await startControlPlane();
  await kubectlOk(['apply', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kafkaclusters.tributary.io']);
  await kubectlOk(['create', 'namespace', NS]);
  api = createKubeApi(loadKubeConfig(controlPlane.kubeconfigPath));
  recorder = recordingKubeApi(api);
  deps = {
    api: recorder.api,
    clock: systemClock,
    logger: silentLogger,
    newClusterId: () => 'q1Sh-9_ISia_zwGINzRvyQ',
    options: { defaultImage: 'tributary:latest', clusterDomain: 'cluster.local' },
    observers: kafkaClusterObserverFactory(systemClock, { timeoutMs: 5_000 }),
  };
  broker = await startBroker();
  const client = new KafkaClient({ bootstrapServers: [broker.bootstrap] });
  try {
    await new KafkaAdmin(client).createTopics([{ name: 'orders', numPartitions: 3, replicationFactor: 1 }]);
  } finally {
    await client.close();
  }
});

test.after.always(async () => {
  await broker?.stop();
  broker?.cleanup();
  await controlPlane?.stop();
});

test.serial('a config change restarts exactly one broker pod per step, voters first and the active controller last; status.rollout shows progress and blockers', async (t) => {
  const bootstrap = broker!.bootstrap;
  await userApply('roll', bootstrap, { 'log.retention.hours': '72' });
  await reconcile('roll');
  await statefulSetControllerSaw('roll', 'rev-1');
  for (const i of [0, 1, 2]) await createPod('roll', i, 'rev-1', true);
  const steady = await reconcile('roll');
  t.is(steady.kafka, undefined, 'every pod runs the desired spec: the Kafka side is not asked');
  t.deepEqual(podDeletions(steady), []);

  await userApply('roll', bootstrap, { 'log.retention.hours': '24' });
  const applying = await reconcile('roll');
  t.deepEqual(applying.written.sort(), ['ConfigMap/roll-config', 'StatefulSet/roll'], 'the new template is applied; no pod is deleted yet');
  t.is(applying.kafka?.kind, 'known', 'the real broker answered');
  if (applying.kafka?.kind === 'known') {
    t.deepEqual(applying.kafka.brokers.map((b) => b.id), [1]);
    t.false(applying.kafka.supports.describeQuorum);
    const orders = applying.kafka.partitions.filter((p) => p.topic === 'orders');
    t.deepEqual(orders.map((p) => `${p.topic}/${p.partition}:${p.isr.join(',')}`), ['orders/0:1', 'orders/1:1', 'orders/2:1']);
    t.is(applying.kafka.minInsyncReplicas['orders'], 1, 'DescribeConfigs answered');
  }
  let cluster = await getCluster('roll');
  t.deepEqual(cluster.status?.rollout?.map((e) => [e.broker, e.reason]), [[0, 'config changed'], [2, 'config changed'], [1, 'config changed']]);
  t.true(cluster.status?.rollout?.every((e) => /StatefulSet is being updated/.test(e.blockedBy ?? '') && e.since !== undefined));

  await statefulSetControllerSaw('roll', 'rev-2');
  const order: number[] = [];
  for (const expected of [0, 2, 1]) {
    const step = await reconcile('roll');
    t.deepEqual(podDeletions(step), [`-Pod/roll-${expected}`], `exactly one pod deleted: roll-${expected}`);
    order.push(expected);
    t.false((await podNames()).includes(`roll-${expected}`));
    cluster = await getCluster('roll');
    t.is(cluster.status?.rollout?.[0]?.broker, expected);
    t.is(cluster.status?.rollout?.[0]?.blockedBy, undefined);

    const waiting = await reconcile('roll');
    t.deepEqual(podDeletions(waiting), [], 'nothing else goes down while the pod is away');
    cluster = await getCluster('roll');
    const others = cluster.status?.rollout ?? [];
    t.true(others.every((e) => e.blockedBy === `broker ${expected} is restarting`), JSON.stringify(others));

    await createPod('roll', expected, 'rev-2', false);
    const notReady = await reconcile('roll');
    t.deepEqual(podDeletions(notReady), []);
    cluster = await getCluster('roll');
    t.true((cluster.status?.rollout ?? []).every((e) => e.blockedBy === `broker ${expected} not ready`));
    if (expected === 0) {
      const yaml = await kubectlOk(['-n', NS, 'get', 'kc', 'roll', '-o', 'yaml']);
      t.regex(yaml, /rollout:\n\s+- blockedBy: broker 0 not ready\n\s+broker: 2\n\s+reason: config changed\n\s+since: "?\d{4}-/);
    }
    await setReady(`roll-${expected}`, true);
  }
  t.deepEqual(order, [0, 2, 1]);
  const done = await reconcile('roll');
  t.deepEqual(podDeletions(done), []);
  cluster = await getCluster('roll');
  t.is(cluster.status?.rollout, undefined, 'status.rollout is cleared when every pod runs the new config');
  t.false(/rollout:/.test(await kubectlOk(['-n', NS, 'get', 'kc', 'roll', '-o', 'yaml'])));
  const events = JSON.parse(await kubectlOk(['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=roll', '-o', 'json'])) as { items: Array<{ reason: string; message: string }> };
  const reasons = events.items.map((e) => e.reason);
  t.true(reasons.includes('RollingRestartStarted'));
  t.true(reasons.includes('RollingRestartFinished'));
  t.is(reasons.filter((r) => r === 'RollingRestart').length, 3);
});

test.serial('an unreachable cluster: no pod is deleted and every broker\'s blocker says why', async (t) => {
  const dead = `127.0.0.1:${await freePort()}`;
  await userApply('blind', dead, { 'log.retention.hours': '72' });
  await reconcile('blind');
  await statefulSetControllerSaw('blind', 'rev-1');
  for (const i of [0, 1, 2]) await createPod('blind', i, 'rev-1', true);
  await userApply('blind', dead, { 'log.retention.hours': '24' });
  await reconcile('blind');
  await statefulSetControllerSaw('blind', 'rev-2');
  const step = await reconcile('blind');
  t.is(step.kafka?.kind, 'unknown');
  t.deepEqual(podDeletions(step), []);
  t.deepEqual((await podNames()).filter((n) => n.startsWith('blind-')), ['blind-0', 'blind-1', 'blind-2']);
  const cluster = await getCluster('blind');
  t.is(cluster.status?.rollout?.length, 3);
  for (const e of cluster.status?.rollout ?? []) t.regex(e.blockedBy ?? '', new RegExp(`^cluster state unknown: the cluster at ${dead} did not answer: .*; no broker restarts until the cluster answers`));
  t.is(cluster.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'RollingRestartBlocked');
});
