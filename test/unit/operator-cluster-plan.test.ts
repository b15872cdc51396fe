// The KafkaCluster planner (operator/controllers/kafkacluster/plan.ts), a pure function:
// - golden files (test/testdata/operator/*.yaml) pin every rendered object, the status and the
//   events for the example 3-broker cluster and for a cluster with external NodePort listeners;
//   `REWRITE=1 npx ava test/unit/operator-cluster-plan.test.ts` regenerates them (review the diff);
// - the generated start.sh is run with the real `sh` for several ordinals and what it passes is loaded
//   with the broker's own config loader, so the per-pod config is one the broker accepts;
// - invalid spec.config keys, cluster id stability, pinned storage, deletions, conditions.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { loadBrokerConfig } from '../../broker/config/broker-config.js';
import type { KafkaCluster } from '../../operator/api/v1alpha1.js';
import { plan, type ObservedCluster, type PlanInput } from '../../operator/controllers/kafkacluster/plan.js';
import type { KubeObject } from '../../operator/kube/api.js';

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata', 'operator');
const NOW_MS = Date.UTC(2025, 0, 2, 3, 4, 5);
const NEW_ID = 'q1Sh-9_ISia_zwGINzRvyQ';

/** A KafkaCluster as the API server returns it (defaults filled in), like manifests/examples. */
function exampleCluster(overrides: Partial<KafkaCluster['spec']> = {}): KafkaCluster {
  return {
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: 'streaming', uid: '0b5c6a2e-1111-4c3d-9e8f-000000000001', generation: 1 },
    spec: {
      brokers: 3,
      image: 'ghcr.io/example/tributary:0.1.0',
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      storage: { size: '20Gi', deleteClaim: false },
      config: { 'default.replication.factor': '3', 'min.insync.replicas': '2', 'log.retention.hours': '72' },
      listeners: [{ name: 'internal', port: 9092, type: 'Internal' }],
      rack: { topologyKey: 'topology.kubernetes.io/zone' },
      metrics: { enabled: true },
      rebalanceOnScale: false,
      ...overrides,
    },
  };
}

function nodePortCluster(): KafkaCluster {
  const cluster = exampleCluster({
    brokers: 3,
    storage: { size: '50Gi', storageClass: 'fast-ssd', deleteClaim: true },
    listeners: [
      { name: 'internal', port: 9092, type: 'Internal' },
      { name: 'external', port: 9094, type: 'NodePort', nodePortBase: 31000 },
    ],
    metrics: { enabled: false },
    template: {
      pod: {
        labels: { team: 'payments' },
        annotations: { 'example.com/owner': 'payments' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'kafka', effect: 'NoSchedule' }],
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
      },
    },
  });
  const { rack: _rack, ...spec } = cluster.spec;
  return { ...cluster, metadata: { ...cluster.metadata, name: 'edge' }, spec };
}

const NOTHING: ObservedCluster = { configMap: null, statefulSet: null, services: [] };

function input(cluster: KafkaCluster, observed: ObservedCluster = NOTHING): PlanInput {
  return { cluster, observed, nowMs: NOW_MS, newClusterId: NEW_ID, options: { defaultImage: 'tributary:latest', clusterDomain: 'cluster.local' } };
}

function checkGolden(t: import('ava').ExecutionContext, file: string, rendered: string): void {
  const path = join(TESTDATA, file);
  if (process.env['REWRITE'] === '1' || !existsSync(path)) {
    writeFileSync(path, rendered);
    t.log(`wrote ${path}`);
    t.pass();
    return;
  }
  t.is(rendered, readFileSync(path, 'utf8'), `${file} differs from the plan; rerun with REWRITE=1 and review the diff`);
}

function renderPlan(cluster: KafkaCluster): string {
  const result = plan(input(cluster));
  const header = `# Golden file: plan() for KafkaCluster ${cluster.metadata.namespace}/${cluster.metadata.name} with nothing observed yet.\n# Regenerate: REWRITE=1 npx ava test/unit/operator-cluster-plan.test.ts (and review the diff).\n`;
  const docs = [...result.desired, { status: result.status, events: result.events, deletions: result.deletions }];
  return header + docs.map((d) => '---\n' + dump(d, { lineWidth: -1, noRefs: true })).join('');
}

test('golden: the example 3-broker cluster renders the expected objects, status and events', (t) => {
  checkGolden(t, 'kafkacluster-example.yaml', renderPlan(exampleCluster()));
});

test('golden: a cluster with an external NodePort listener renders per-broker NodePort services', (t) => {
  checkGolden(t, 'kafkacluster-nodeport.yaml', renderPlan(nodePortCluster()));
});

function find(objects: KubeObject[], kind: string, name?: string): KubeObject & Record<string, any> {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found as KubeObject & Record<string, any>;
}

/** Runs the generated start.sh for one pod with `sh`, returning the arguments it passes to the broker. */
function runStartScript(cluster: KafkaCluster, podName: string, env: Record<string, string> = {}): { file: string; overrides: string[] } {
  const result = plan(input(cluster));
  const data = find(result.desired, 'ConfigMap')['data'] as Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-start-'));
  try {
    writeFileSync(join(dir, 'start.sh'), data['start.sh']!);
    writeFileSync(join(dir, 'fake-tributary'), '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const out = execFileSync('sh', [join(dir, 'start.sh')], {
      env: { PATH: process.env['PATH'] ?? '', POD_NAME: podName, TRIBUTARY_BIN: join(dir, 'fake-tributary'), ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const args = out.trim().split('\n');
    const overrides = args.flatMap((arg, i) => (args[i - 1] === '--override' ? [arg] : []));
    return { file: data['server.properties']!, overrides };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('start.sh makes a controller voter of ordinals below the quorum size and a broker of the rest; the broker accepts both configs', (t) => {
  const cluster = exampleCluster({ brokers: 5 });
  for (const [ordinal, roles] of [[0, 'broker,controller'], [2, 'broker,controller'], [4, 'broker']] as const) {
    const { file, overrides } = runStartScript(cluster, `demo-${ordinal}`, { BROKER_RACK: 'zone-a' });
    const config = loadBrokerConfig({ file, overrides });
    t.is(config.nodeId, ordinal);
    t.deepEqual([...config.processRoles].sort().join(','), roles);
    t.is(config.brokerRack, 'zone-a');
    t.deepEqual(config.controllerQuorumVoters.map((v) => `${v.id}@${v.host}`), [0, 1, 2].map((i) => `${i}@demo-${i}.demo-brokers.streaming.svc.cluster.local`));
    t.deepEqual(config.advertisedListeners.map((l) => `${l.name}://${l.host}:${l.port}`), [`INTERNAL://demo-${ordinal}.demo-brokers.streaming.svc.cluster.local:9092`]);
    t.is(config.interBrokerListenerName, 'INTERNAL');
    t.deepEqual(config.logDirs, ['/var/lib/tributary/data']);
    t.is(config.minInsyncReplicas, 2);
    t.is(config.clusterId, NEW_ID);
  }
});

test('start.sh advertises the node address and the per-broker NodePort for external listeners', (t) => {
  const { file, overrides } = runStartScript(nodePortCluster(), 'edge-2', { HOST_IP: '192.0.2.7' });
  const config = loadBrokerConfig({ file, overrides });
  t.deepEqual(config.advertisedListeners.map((l) => `${l.name}://${l.host}:${l.port}`), [
    'INTERNAL://edge-2.edge-brokers.streaming.svc.cluster.local:9092',
    'EXTERNAL://192.0.2.7:31003',
  ]);
  t.is(config.brokerRack, null);
});

test('start.sh refuses a pod name without an ordinal', (t) => {
  const error = t.throws(() => runStartScript(exampleCluster(), 'demo'));
  t.regex(String((error as { stderr?: string }).stderr), /cannot derive node.id/);
});

test('unknown or ill-typed spec.config keys are terminal: nothing is applied and Degraded names each key', (t) => {
  const cluster = exampleCluster({ config: { 'log.retention.hourz': '1', 'num.partitions': 'many', 'min.insync.replicas': '2' } });
  const result = plan(input(cluster));
  t.deepEqual(result.desired, []);
  t.truthy(result.terminal);
  const degraded = result.status.conditions?.find((c) => c.type === 'Degraded');
  t.is(degraded?.status, 'True');
  t.is(degraded?.reason, 'InvalidSpec');
  t.regex(degraded?.message ?? '', /unknown broker config key "log.retention.hourz" \(did you mean "log.retention.hours"\?\)/);
  t.regex(degraded?.message ?? '', /invalid value "many" for "num.partitions"/);
  t.is(degraded?.observedGeneration, 1);
  t.true(result.events.some((e) => e.type === 'Warning' && e.reason === 'InvalidSpec'));
});

test('a NodePort listener without nodePortBase is an invalid spec', (t) => {
  const cluster = exampleCluster({ listeners: [{ name: 'internal', port: 9092, type: 'Internal' }, { name: 'outside', port: 9094, type: 'NodePort' }] });
  t.regex(plan(input(cluster)).terminal ?? '', /NodePort listener "outside" needs nodePortBase/);
});

test('the cluster id already in the ConfigMap wins over status and over a new one', (t) => {
  const first = plan(input(exampleCluster()));
  const configMap = find(first.desired, 'ConfigMap') as ObservedCluster['configMap'];
  const again = plan({ ...input(exampleCluster()), newClusterId: 'another-id-000000000000', observed: { ...NOTHING, configMap } });
  t.is(again.status.clusterId, NEW_ID);
  t.false(again.events.some((e) => e.reason === 'ClusterIdAssigned'));
  const fromStatus = plan({ ...input({ ...exampleCluster(), status: { clusterId: 'from-status-00000000000' } }), newClusterId: 'x' });
  t.is(fromStatus.status.clusterId, 'from-status-00000000000');
});

test('a config change changes the pod template config hash; an unrelated status change does not', (t) => {
  const hashOf = (cluster: KafkaCluster) => find(plan(input(cluster)).desired, 'StatefulSet')['spec'].template.metadata.annotations['tributary.io/config-hash'];
  const base = hashOf(exampleCluster());
  t.not(hashOf(exampleCluster({ config: { 'log.retention.hours': '24' } })), base);
  t.is(hashOf({ ...exampleCluster(), status: { readyBrokers: 2 } }), base);
});

test('an existing StatefulSet keeps its volume claim size; a grown spec is reported as Degraded, not applied', (t) => {
  const first = find(plan(input(exampleCluster())).desired, 'StatefulSet');
  const grown = plan({ ...input(exampleCluster({ storage: { size: '40Gi', deleteClaim: false } })), observed: { ...NOTHING, statefulSet: first } });
  t.is(find(grown.desired, 'StatefulSet')['spec'].volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
  const degraded = grown.status.conditions?.find((c) => c.type === 'Degraded');
  t.is(degraded?.reason, 'StorageResizeUnsupported');
  t.is(grown.terminal, null);
});

test('deleteClaim sets the StatefulSet PVC retention policy to Delete on deletion, Retain otherwise', (t) => {
  const policy = (deleteClaim: boolean) =>
    find(plan(input(exampleCluster({ storage: { size: '1Gi', deleteClaim } }))).desired, 'StatefulSet')['spec'].persistentVolumeClaimRetentionPolicy;
  t.deepEqual(policy(true), { whenDeleted: 'Delete', whenScaled: 'Retain' });
  t.deepEqual(policy(false), { whenDeleted: 'Retain', whenScaled: 'Retain' });
});

test('per-broker Services of a removed listener are deleted, but only ones this cluster controls', (t) => {
  const withExternal = plan(input(nodePortCluster()));
  const services = withExternal.desired.filter((o) => o.kind === 'Service');
  const stranger: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'edge-external-9', namespace: 'streaming', ownerReferences: [] } };
  const cluster = { ...nodePortCluster(), spec: { ...nodePortCluster().spec, listeners: [{ name: 'internal', port: 9092, type: 'Internal' as const }] } };
  const result = plan({ ...input(cluster), observed: { ...NOTHING, services: [...services, stranger] } });
  t.deepEqual(result.deletions.map((d) => d.name).sort(), ['edge-external-0', 'edge-external-1', 'edge-external-2', 'edge-external-bootstrap']);
});

test('Ready, Progressing and Degraded follow the StatefulSet and keep their transition time while unchanged', (t) => {
  const sts = (ready: number) =>
    ({ ...find(plan(input(exampleCluster())).desired, 'StatefulSet'), metadata: { name: 'demo', generation: 2 }, status: { observedGeneration: 2, replicas: 3, readyReplicas: ready } }) as ObservedCluster['statefulSet'];
  const starting = plan({ ...input(exampleCluster()), observed: { ...NOTHING, statefulSet: sts(1) } });
  const cond = (p: typeof starting, type: string) => p.status.conditions?.find((c) => c.type === type);
  t.is(cond(starting, 'Ready')?.status, 'False');
  t.is(cond(starting, 'Progressing')?.reason, 'BrokersStarting');
  t.is(starting.status.readyBrokers, 1);
  t.true(starting.progressing);
  const later = { ...input({ ...exampleCluster(), status: starting.status }), nowMs: NOW_MS + 60_000 };
  const ready = plan({ ...later, observed: { ...NOTHING, statefulSet: sts(3) } });
  t.is(cond(ready, 'Ready')?.status, 'True');
  t.is(cond(ready, 'Ready')?.lastTransitionTime, '2025-01-02T03:05:05Z');
  t.is(cond(ready, 'Degraded')?.lastTransitionTime, '2025-01-02T03:04:05Z', 'unchanged Degraded=False keeps its time');
  t.true(ready.events.some((e) => e.reason === 'ClusterReady'));
  t.deepEqual(ready.status.listeners, [{ name: 'internal', bootstrap: 'demo-bootstrap.streaming.svc.cluster.local:9092' }]);
});
