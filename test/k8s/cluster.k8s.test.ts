// The KafkaCluster controller against a real kube-apiserver + etcd (test/k8s/control-plane.ts):
// users write KafkaClusters with the real kubectl (server-side apply); the operator reconciles
// through the real KubeApi (operator/kube/client.ts) wrapped in a recorder that counts writes.
//
// What this exercises: the rendered StatefulSet, Services, ConfigMap, PDB and ServiceAccount as
// the API server validates, defaults and stores them; updates on a spec change touching only the
// objects that changed; zero writes on a second reconcile of the same spec; an invalid
// spec.config key surfacing as Degraded; ownerReferences; the watch-driven controller (owned
// StatefulSet status -> cluster status).
// What it does not: no kubelet runs, so no pod ever starts (readiness is simulated by writing the
// StatefulSet status by hand), and no kube-controller-manager runs, so there is no garbage
// collector: the cascade on deletion is proved by the ownerReferences (controller: true,
// blockOwnerDeletion: true, the owner's uid) that the GC acts on, not by watching children vanish.
// Needs `npm run setup:k8s` once.
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane, eventually as pollUntil } from './control-plane.js';
import { API_VERSION, type KafkaCluster, type KafkaClusterInput } from '../../operator/api/v1alpha1.js';
import { createKubeApi, loadKubeConfig } from '../../operator/kube/client.js';
import { recordingKubeApi, type RecordingKubeApi } from '../../operator/kube/recording.js';
import type { KubeApi, KubeObject } from '../../operator/kube/api.js';
import { reconcileKafkaCluster, kafkaClusterController, type KafkaClusterDeps } from '../../operator/controllers/kafkacluster/index.js';
import { systemClock } from '../../operator/runtime/clock.js';
import { TerminalError } from '../../operator/runtime/controller.js';
import { silentLogger } from '../../broker/io/logger.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NS = 'streaming';
const CLUSTER_ID = 'q1Sh-9_ISia_zwGINzRvyQ';

let controlPlane: ControlPlane | undefined;
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

/** What a user (or GitOps tool) does: server-side apply under their own field manager. */
async function userApply(name: string, spec: KafkaClusterInput['spec']): Promise<void> {
  const object: KafkaClusterInput = { apiVersion: API_VERSION, kind: 'KafkaCluster', metadata: { name, namespace: NS }, spec };
  await kubectlOk(['apply', '--server-side', '--field-manager=platform-team', '-f', '-'], JSON.stringify(object));
}

const exampleSpec = (overrides: Partial<KafkaClusterInput['spec']> = {}): KafkaClusterInput['spec'] => ({
  brokers: 3,
  image: 'ghcr.io/example/tributary:0.1.0',
  storage: { size: '20Gi' },
  config: { 'min.insync.replicas': '2', 'default.replication.factor': '3' },
  ...overrides,
});

async function get<T = KubeObject & Record<string, any>>(apiVersion: string, kind: string, name: string): Promise<T> {
  const object = await api.get({ apiVersion, kind, namespace: NS, name });
  if (!object) throw new Error(`${kind} ${NS}/${name} does not exist`);
  return object as T;
}

const getCluster = (name: string) => get<KafkaCluster & KubeObject>(API_VERSION, 'KafkaCluster', name);

test.before(async () => {
  controlPlane = await startControlPlane();
  await kubectlOk(['apply', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kafkaclusters.tributary.io', 'crd/kafkatopics.tributary.io']);
  await kubectlOk(['create', 'namespace', NS]);
  api = createKubeApi(loadKubeConfig(controlPlane.kubeconfigPath));
  recorder = recordingKubeApi(api);
  deps = {
    api: recorder.api,
    clock: systemClock,
    logger: silentLogger,
    newClusterId: () => CLUSTER_ID,
    options: { defaultImage: 'tributary:latest', clusterDomain: 'cluster.local' },
  };
});

test.after.always(async () => {
  await controlPlane?.stop();
});

test.serial('the example KafkaCluster yields the StatefulSet, Services, ConfigMap, PDB and ServiceAccount', async (t) => {
  await userApply('demo', exampleSpec());
  const report = await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.deepEqual(report.written.sort(), ['ConfigMap/demo-config', 'PodDisruptionBudget/demo', 'Service/demo-bootstrap', 'Service/demo-brokers', 'ServiceAccount/demo-broker', 'StatefulSet/demo']);

  const sts = await get('apps/v1', 'StatefulSet', 'demo');
  t.is(sts.spec.replicas, 3);
  t.is(sts.spec.podManagementPolicy, 'Parallel');
  t.deepEqual(sts.spec.updateStrategy, { type: 'OnDelete' });
  t.is(sts.spec.serviceName, 'demo-brokers');
  t.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  t.is(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
  const pod = sts.spec.template;
  t.regex(pod.metadata.annotations['tributary.io/config-hash'], /^[0-9a-f]{16}$/);
  t.is(pod.metadata.annotations['prometheus.io/port'], '9644');
  const container = pod.spec.containers[0];
  t.is(container.image, 'ghcr.io/example/tributary:0.1.0');
  t.is(container.readinessProbe.httpGet.path, '/readyz');
  t.is(container.livenessProbe.httpGet.path, '/healthz');
  t.is(pod.spec.serviceAccountName, 'demo-broker');

  const headless = await get('v1', 'Service', 'demo-brokers');
  t.is(headless.spec.clusterIP, 'None');
  t.true(headless.spec.publishNotReadyAddresses);
  const bootstrap = await get('v1', 'Service', 'demo-bootstrap');
  t.deepEqual(bootstrap.spec.ports.map((p: { port: number }) => p.port), [9092]);
  t.truthy(bootstrap.spec.clusterIP, 'the API server allocated a cluster IP');

  const properties: string = (await get('v1', 'ConfigMap', 'demo-config')).data['server.properties'];
  t.regex(properties, /^controller\.quorum\.voters=0@demo-0\.demo-brokers\.streaming\.svc\.cluster\.local:9093,1@.*,2@demo-2\./m);
  t.regex(properties, /^min\.insync\.replicas=2$/m);
  t.regex(properties, new RegExp(`^cluster\\.id=${CLUSTER_ID}$`, 'm'));
  t.is((await get('policy/v1', 'PodDisruptionBudget', 'demo')).spec.maxUnavailable, 1);
  t.false((await get('v1', 'ServiceAccount', 'demo-broker')).automountServiceAccountToken);

  const cluster = await getCluster('demo');
  t.is(cluster.status?.clusterId, CLUSTER_ID);
  t.is(cluster.status?.observedGeneration, cluster.metadata.generation);
  t.deepEqual(cluster.status?.conditions?.map((c) => [c.type, c.status, c.observedGeneration]), [
    ['Ready', 'False', 1],
    ['Progressing', 'True', 1],
    ['Degraded', 'False', 1],
  ]);
  t.deepEqual(cluster.status?.listeners, [{ name: 'internal', bootstrap: 'demo-bootstrap.streaming.svc.cluster.local:9092' }]);
});

test.serial('a second reconcile of the same spec performs zero writes', async (t) => {
  const before = await getCluster('demo');
  const stsVersion = (await get('apps/v1', 'StatefulSet', 'demo')).metadata.resourceVersion;
  recorder.reset();
  const report = await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.deepEqual(recorder.writes(), [], 'no apply, applyStatus or delete call');
  t.deepEqual(report.written, []);
  t.false(report.statusWritten);
  t.is((await get('apps/v1', 'StatefulSet', 'demo')).metadata.resourceVersion, stsVersion);
  t.is((await getCluster('demo')).metadata.resourceVersion, before.metadata.resourceVersion);
});

test.serial('a spec change (config key, image) updates only the ConfigMap and the StatefulSet', async (t) => {
  const hashBefore = (await get('apps/v1', 'StatefulSet', 'demo')).spec.template.metadata.annotations['tributary.io/config-hash'];
  await userApply('demo', exampleSpec({ image: 'ghcr.io/example/tributary:0.2.0', config: { 'min.insync.replicas': '2', 'default.replication.factor': '3', 'log.retention.hours': '24' } }));
  recorder.reset();
  const report = await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.deepEqual(report.written.sort(), ['ConfigMap/demo-config', 'StatefulSet/demo']);
  t.true(report.statusWritten, 'observedGeneration moved to 2');
  const sts = await get('apps/v1', 'StatefulSet', 'demo');
  t.is(sts.spec.template.spec.containers[0].image, 'ghcr.io/example/tributary:0.2.0');
  t.not(sts.spec.template.metadata.annotations['tributary.io/config-hash'], hashBefore);
  t.regex((await get('v1', 'ConfigMap', 'demo-config')).data['server.properties'], /^log\.retention\.hours=24$/m);
  t.is((await getCluster('demo')).status?.observedGeneration, 2);
  recorder.reset();
  await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.deepEqual(recorder.writes(), [], 'and converged again');
});

test.serial('an object edited behind the operator\'s back is put back on the next reconcile', async (t) => {
  await kubectlOk(['-n', NS, 'patch', 'pdb', 'demo', '--type=merge', '-p', '{"spec":{"maxUnavailable":2}}']);
  recorder.reset();
  const report = await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.deepEqual(report.written, ['PodDisruptionBudget/demo']);
  t.is((await get('policy/v1', 'PodDisruptionBudget', 'demo')).spec.maxUnavailable, 1);
});

test.serial('an unknown spec.config key surfaces as a terminal Degraded condition naming the key; nothing else changes', async (t) => {
  const stsVersion = (await get('apps/v1', 'StatefulSet', 'demo')).metadata.resourceVersion;
  await userApply('demo', exampleSpec({ config: { 'log.retention.hourz': '24' } }));
  recorder.reset();
  await t.throwsAsync(reconcileKafkaCluster(deps, `${NS}/demo`), { instanceOf: TerminalError, message: /log\.retention\.hourz/ });
  t.deepEqual(recorder.writes().map((w) => w.verb), ['applyStatus']);
  const cluster = await getCluster('demo');
  const degraded = cluster.status?.conditions?.find((c) => c.type === 'Degraded');
  t.is(degraded?.status, 'True');
  t.is(degraded?.reason, 'InvalidSpec');
  t.regex(degraded?.message ?? '', /unknown broker config key "log\.retention\.hourz" \(did you mean "log\.retention\.hours"\?\)/);
  t.is(degraded?.observedGeneration, cluster.metadata.generation);
  t.is((await get('apps/v1', 'StatefulSet', 'demo')).metadata.resourceVersion, stsVersion);
  const events = JSON.parse(await kubectlOk(['-n', NS, 'get', 'events', '--field-selector', 'involvedObject.name=demo', '-o', 'json'])) as { items: Array<{ reason: string; type: string }> };
  t.true(events.items.some((e) => e.reason === 'InvalidSpec' && e.type === 'Warning'), 'a Warning event records the transition');

  await userApply('demo', exampleSpec());
  await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.is((await getCluster('demo')).status?.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
});

test.serial('every owned object carries the controller ownerReference the garbage collector cascades on', async (t) => {
  const cluster = await getCluster('demo');
  const owned = [
    ['apps/v1', 'StatefulSet', 'demo'],
    ['v1', 'Service', 'demo-brokers'],
    ['v1', 'Service', 'demo-bootstrap'],
    ['v1', 'ConfigMap', 'demo-config'],
    ['policy/v1', 'PodDisruptionBudget', 'demo'],
    ['v1', 'ServiceAccount', 'demo-broker'],
  ] as const;
  for (const [apiVersion, kind, name] of owned) {
    const object = await get(apiVersion, kind, name);
    t.deepEqual(object.metadata.ownerReferences, [
      { apiVersion: API_VERSION, kind: 'KafkaCluster', name: 'demo', uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true },
    ], `${kind}/${name}`);
  }
  // The KafkaCluster itself can be deleted (no finalizer of ours holds it); without
  // kube-controller-manager nothing deletes the dependents here, and a reconcile of the gone
  // cluster does nothing.
  await kubectlOk(['-n', NS, 'delete', 'kafkacluster', 'demo', '--wait=true']);
  recorder.reset();
  const report = await reconcileKafkaCluster(deps, `${NS}/demo`);
  t.deepEqual(report.written, []);
  t.deepEqual(recorder.writes(), []);
});

test.serial('external NodePort listeners get a bootstrap and one Service per broker with fixed node ports; removing the listener deletes them', async (t) => {
  const listeners = [
    { name: 'internal', port: 9092 },
    { name: 'external', port: 9094, type: 'NodePort' as const, nodePortBase: 31000 },
  ];
  await userApply('edge', { brokers: 2, listeners });
  await reconcileKafkaCluster(deps, `${NS}/edge`);
  const ports = async (name: string) => (await get('v1', 'Service', name)).spec.ports.map((p: { nodePort: number }) => p.nodePort);
  t.deepEqual(await ports('edge-external-bootstrap'), [31000]);
  t.deepEqual(await ports('edge-external-0'), [31001]);
  t.deepEqual(await ports('edge-external-1'), [31002]);
  t.deepEqual((await getCluster('edge')).status?.listeners?.map((l) => l.name), ['internal', 'external']);

  await userApply('edge', { brokers: 2, listeners: [{ name: 'internal', port: 9092 }] });
  const report = await reconcileKafkaCluster(deps, `${NS}/edge`);
  t.deepEqual(report.written.filter((w) => w.startsWith('-')).sort(), ['-Service/edge-external-0', '-Service/edge-external-1', '-Service/edge-external-bootstrap']);
  t.is(await api.get({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'edge-external-0' }), null);
});

function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  return pollUntil(what, probe, timeoutMs, 200);
}

test.serial('the watch-driven controller creates a cluster, follows spec changes, and turns StatefulSet readiness into Ready', async (t) => {
  const controller = kafkaClusterController({ ...deps, api, namespaces: [NS], resyncMs: 60_000, progressRequeueMs: 60_000 });
  controller.start();
  try {
    await userApply('watched', { brokers: 1 });
    await eventually('the StatefulSet', () => api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'watched' }));
    await userApply('watched', { brokers: 3 });
    const sts = await eventually('3 replicas', async () => {
      const s = await get('apps/v1', 'StatefulSet', 'watched');
      return s.spec.replicas === 3 && s;
    });
    // No kubelet: play the StatefulSet controller and report all pods ready. The owned-object watch
    // must wake the cluster's key.
    const status = { observedGeneration: sts.metadata.generation, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 };
    await kubectlOk(['-n', NS, 'patch', 'statefulset', 'watched', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    const cluster = await eventually('Ready=True', async () => {
      const c = await getCluster('watched');
      return c.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' && c;
    });
    t.is(cluster.status?.readyBrokers, 3);
    t.is(cluster.status?.conditions?.find((x) => x.type === 'Progressing')?.status, 'False');
  } finally {
    await controller.stop();
  }
});
