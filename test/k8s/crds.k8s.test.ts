// The CRDs in crds/ against a real kube-apiserver: applied with the real kubectl, defaults filled
// in by the API server, CEL rules enforced on create and on update, printer columns, the status
// subresource, short names and the `tributary` category. Needs `npm run setup:k8s` once.
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane, type KubectlResult } from './control-plane.js';
import { API_VERSION, type Condition, type KafkaCluster, type KafkaClusterInput, type KafkaTopic, type KafkaTopicInput } from '../../operator/api/v1alpha1.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIELD_MANAGER = 'tributary-crd-test';

let controlPlane: ControlPlane | undefined;

function plane(): ControlPlane {
  if (!controlPlane) throw new Error('control plane not started (see the before hook failure)');
  return controlPlane;
}

async function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  return plane().kubectl(args, input === undefined ? {} : { input });
}

function kubectlOk(args: string[], input?: string): Promise<string> {
  return plane().kubectlOk(args, input);
}

/** Server-side apply, as the operator and GitOps tools write. */
function apply(object: KafkaClusterInput | KafkaTopicInput): Promise<KubectlResult> {
  return kubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], JSON.stringify(object));
}

async function applyOk(object: KafkaClusterInput | KafkaTopicInput): Promise<void> {
  const result = await apply(object);
  if (result.exitCode !== 0) throw new Error(`apply ${object.kind}/${object.metadata.name} failed: ${result.stderr}`);
}

async function getJson<T>(resource: string, name: string): Promise<T> {
  return JSON.parse(await kubectlOk(['get', resource, name, '-o', 'json'])) as T;
}

const cluster = (name: string, spec: KafkaClusterInput['spec']): KafkaClusterInput => ({
  apiVersion: API_VERSION,
  kind: 'KafkaCluster',
  metadata: { name },
  spec,
});

const topic = (name: string, spec: KafkaTopicInput['spec']): KafkaTopicInput => ({
  apiVersion: API_VERSION,
  kind: 'KafkaTopic',
  metadata: { name },
  spec,
});

test.before(async () => {
  controlPlane = await startControlPlane();
  await kubectlOk(['apply', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kafkaclusters.tributary.io', 'crd/kafkatopics.tributary.io']);
});

test.after.always(async () => {
  await controlPlane?.stop();
});

test.serial('a minimal KafkaCluster is accepted and the API server fills in the defaults', async (t) => {
  await applyOk(cluster('defaults', { brokers: 3 }));
  const stored = await getJson<KafkaCluster>('kafkacluster', 'defaults');
  t.deepEqual(stored.spec, {
    brokers: 3,
    storage: { size: '10Gi', deleteClaim: false },
    listeners: [{ name: 'internal', port: 9092, type: 'Internal' }],
    metrics: { enabled: true },
    rebalanceOnScale: false,
  });
});

test.serial('a full KafkaCluster is accepted as written', async (t) => {
  const spec: KafkaClusterInput['spec'] = {
    brokers: 3,
    image: 'tributary:dev',
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
    storage: { size: '20Gi', storageClass: 'fast', deleteClaim: true },
    config: { 'log.retention.hours': '24', 'min.insync.replicas': '2' },
    listeners: [
      { name: 'internal', port: 9092, type: 'Internal' },
      { name: 'external', port: 9094, type: 'NodePort', nodePortBase: 31000 },
    ],
    controllerQuorumSize: 3,
    rack: {},
    template: {
      pod: {
        labels: { team: 'streaming' },
        annotations: { 'example.com/owner': 'streaming' },
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'kafka', effect: 'NoSchedule' }],
      },
    },
    metrics: { enabled: false },
    rebalanceOnScale: true,
  };
  await applyOk(cluster('full', spec));
  const stored = await getJson<KafkaCluster>('kc', 'full');
  t.deepEqual(stored.spec, { ...spec, rack: { topologyKey: 'topology.kubernetes.io/zone' } });
});

test.serial('a minimal KafkaTopic is accepted and the API server fills in the defaults', async (t) => {
  await applyOk(topic('orders', { clusterRef: { name: 'defaults' }, partitions: 3 }));
  const stored = await getJson<KafkaTopic>('kafkatopic', 'orders');
  t.deepEqual(stored.spec, {
    clusterRef: { name: 'defaults' },
    partitions: 3,
    replicas: 1,
    deletionPolicy: 'Delete',
    driftPolicy: 'Enforce',
    adopt: false,
  });
});

// Each row is a resource the API server must refuse on create, and the message it must give.
const invalidOnCreate: Array<{ behaviour: string; object: KafkaClusterInput | KafkaTopicInput; message: string }> = [
  { behaviour: 'brokers: 0', object: cluster('zero', { brokers: 0 }), message: 'brokers must be at least 1' },
  {
    behaviour: 'an even controller quorum',
    object: cluster('even-quorum', { brokers: 4, controllerQuorumSize: 2 }),
    message: 'controllerQuorumSize must be odd',
  },
  {
    behaviour: 'a controller quorum larger than the cluster',
    object: cluster('big-quorum', { brokers: 1, controllerQuorumSize: 3 }),
    message: 'controllerQuorumSize must not exceed brokers',
  },
  {
    behaviour: 'a broker config key the operator owns',
    object: cluster('owned-key', { brokers: 1, config: { 'node.id': '7' } }),
    message: 'config must not set keys the operator owns',
  },
  {
    behaviour: 'listeners without an Internal one',
    object: cluster('no-internal', { brokers: 1, listeners: [{ name: 'external', port: 9094, type: 'LoadBalancer' }] }),
    message: 'exactly one listener must have type Internal',
  },
  {
    behaviour: 'two listeners on one port',
    object: cluster('same-port', {
      brokers: 1,
      listeners: [
        { name: 'internal', port: 9092 },
        { name: 'external', port: 9092, type: 'LoadBalancer' },
      ],
    }),
    message: 'listener ports must be unique',
  },
  { behaviour: 'a storage size that is no quantity', object: cluster('bad-size', { brokers: 1, storage: { size: 'lots' } }), message: 'storage.size' },
  { behaviour: 'replicas: 0', object: topic('no-replicas', { clusterRef: { name: 'c' }, replicas: 0 }), message: 'replicas must be at least 1' },
  { behaviour: 'partitions: 0', object: topic('no-partitions', { clusterRef: { name: 'c' }, partitions: 0 }), message: 'partitions must be at least 1' },
  {
    behaviour: 'an unknown deletionPolicy',
    object: topic('bad-deletion', { clusterRef: { name: 'c' }, deletionPolicy: 'Orphan' as 'Delete' }),
    message: 'supported values: "Delete", "Retain"',
  },
  {
    behaviour: 'an unknown driftPolicy',
    object: topic('bad-drift', { clusterRef: { name: 'c' }, driftPolicy: 'Sometimes' as 'Report' }),
    message: 'supported values: "Enforce", "Report", "Ignore"',
  },
  {
    behaviour: 'a bootstrap override without a port',
    object: topic('bad-bootstrap', { clusterRef: { name: 'c' }, bootstrapOverride: 'localhost' }),
    message: 'spec.bootstrapOverride',
  },
];

for (const row of invalidOnCreate) {
  test.serial(`the API server rejects ${row.behaviour}`, async (t) => {
    const result = await apply(row.object);
    t.not(result.exitCode, 0, `accepted: ${result.stdout}`);
    t.true(result.stderr.includes(row.message), result.stderr);
    const get = await kubectl(['get', row.object.kind, row.object.metadata.name ?? '']);
    t.not(get.exitCode, 0, 'the rejected object must not exist');
  });
}

test.serial('partitions can grow but a decrease is rejected by the transition rule', async (t) => {
  await applyOk(topic('shrinking', { clusterRef: { name: 'defaults' }, partitions: 6 }));
  const decrease = await apply(topic('shrinking', { clusterRef: { name: 'defaults' }, partitions: 3 }));
  t.not(decrease.exitCode, 0);
  t.true(decrease.stderr.includes('partitions cannot be decreased'), decrease.stderr);
  await applyOk(topic('shrinking', { clusterRef: { name: 'defaults' }, partitions: 8 }));
  t.is((await getJson<KafkaTopic>('kt', 'shrinking')).spec.partitions, 8);
});

test.serial('clusterRef and topicName are immutable', async (t) => {
  await applyOk(topic('pinned', { clusterRef: { name: 'one' }, topicName: 'Pinned_Topic' }));
  const moved = await apply(topic('pinned', { clusterRef: { name: 'two' }, topicName: 'Pinned_Topic' }));
  t.true(moved.stderr.includes('clusterRef is immutable'), moved.stderr);
  const renamed = await apply(topic('pinned', { clusterRef: { name: 'one' }, topicName: 'Other' }));
  t.true(renamed.stderr.includes('topicName is immutable'), renamed.stderr);
  const dropped = await apply(topic('pinned', { clusterRef: { name: 'one' } }));
  t.true(dropped.stderr.includes('topicName cannot be added or removed'), dropped.stderr);
});

test.serial('a storage class can be set once, then neither changed nor removed', async (t) => {
  await applyOk(cluster('storage', { brokers: 1 }));
  await applyOk(cluster('storage', { brokers: 1, storage: { storageClass: 'fast' } }));
  const changed = await apply(cluster('storage', { brokers: 1, storage: { storageClass: 'slow' } }));
  t.not(changed.exitCode, 0);
  t.true(changed.stderr.includes('storage.storageClass is immutable once set'), changed.stderr);
  const removed = await apply(cluster('storage', { brokers: 1, storage: {} }));
  t.true(removed.stderr.includes('storage.storageClass is immutable once set'), removed.stderr);
  t.is((await getJson<KafkaCluster>('kc', 'storage')).spec.storage.storageClass, 'fast');
});

test.serial('storage can grow but never shrink', async (t) => {
  await applyOk(cluster('volume', { brokers: 1, storage: { size: '10Gi' } }));
  await applyOk(cluster('volume', { brokers: 1, storage: { size: '20Gi' } }));
  const shrink = await apply(cluster('volume', { brokers: 1, storage: { size: '15Gi' } }));
  t.true(shrink.stderr.includes('storage.size cannot shrink'), shrink.stderr);
});

test.serial('status is a subresource: the operator writes it, spec writers cannot', async (t) => {
  const status = { readyBrokers: 3, clusterId: 'q1Sh-9_ISia_zwGINzRvyQ', observedGeneration: 1 };
  await kubectlOk(['patch', 'kc', 'defaults', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  await kubectlOk(['patch', 'kc', 'defaults', '--type=merge', '-p', JSON.stringify({ status: { readyBrokers: 0 } })]);
  const stored = await getJson<KafkaCluster>('kc', 'defaults');
  t.like(stored.status, status);
});

test.serial('kubectl get kc,kt shows the printer columns; short names and the category work', async (t) => {
  const ready = {
    type: 'Ready',
    status: 'True',
    reason: 'TopicReady',
    message: 'topic matches the spec',
    observedGeneration: 1,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  } satisfies Condition;
  await kubectlOk(['patch', 'kt', 'orders', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [ready] } })]);
  const table = await kubectlOk(['get', 'kc,kt']);
  const lines = table.split('\n');
  const clusterHeader = lines.find((l) => l.startsWith('NAME') && l.includes('BROKERS'));
  const topicHeader = lines.find((l) => l.startsWith('NAME') && l.includes('PARTITIONS'));
  t.deepEqual(clusterHeader?.split(/\s+/).filter(Boolean), ['NAME', 'BROKERS', 'READY', 'AGE']);
  t.deepEqual(topicHeader?.split(/\s+/).filter(Boolean), ['NAME', 'CLUSTER', 'PARTITIONS', 'REPLICAS', 'READY', 'AGE']);
  t.regex(table, /kafkacluster\.tributary\.io\/defaults\s+3\s+3\s+\d+s/);
  t.regex(table, /kafkatopic\.tributary\.io\/orders\s+defaults\s+3\s+1\s+True\s+\d+s/);
  const wide = await kubectlOk(['get', 'kc', 'defaults', '-o', 'wide']);
  t.regex(wide, /CLUSTER-ID/);
  t.regex(wide, /q1Sh-9_ISia_zwGINzRvyQ/);
  const category = await kubectlOk(['get', 'tributary', '-o', 'name']);
  t.true(category.includes('kafkacluster.tributary.io/defaults') && category.includes('kafkatopic.tributary.io/orders'), category);
});

test.serial('kubectl explain shows the field descriptions from operator/api/v1alpha1.ts', async (t) => {
  const explained = await kubectlOk(['explain', 'kafkacluster.spec.storage']);
  t.regex(explained, /deleteClaim\s+<boolean>/);
  t.regex(explained, /StorageClass of the volume claims/);
});
