// plan() for KafkaCluster with the scale planner wired in: the StatefulSet's replicas come from the
// planner, a scale-down never shrinks before its brokers are drained, it refuses with Degraded when
// the broker cannot reassign partitions or cannot be asked, claims are deleted only when the
// planner allows it and deleteClaim is set, and the user's spec is never written.
import test from 'ava';
import type { KafkaCluster } from '../../operator/api/v1alpha1.js';
import type { KubeObject } from '../../operator/kube/api.js';
import { withAppliedHash } from '../../operator/kube/apply.js';
import { plan, withEffectFailures, type ObservedCluster, type Plan, type StatefulSetObserved } from '../../operator/controllers/kafkacluster/plan.js';
import type { PodObserved } from '../../operator/controllers/kafkacluster/broker-pods.js';
import type { KafkaClusterState, KafkaPartition, KnownClusterState } from '../../operator/controllers/kafkacluster/cluster-observer.js';
import { REASSIGNMENT_UNSUPPORTED } from '../../operator/controllers/kafkacluster/scale-step.js';

const NOW_MS = Date.UTC(2025, 0, 2, 3, 4, 5);
const OPTIONS = { defaultImage: 'tributary:latest', clusterDomain: 'cluster.local' };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function cluster(brokers: number, storage: { deleteClaim: boolean } = { deleteClaim: false }): KafkaCluster {
  return {
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: 'streaming', uid: '0b5c6a2e-1111-4c3d-9e8f-000000000001', generation: 2 },
    spec: {
      brokers,
      image: 'ghcr.io/example/tributary:0.1.0',
      storage: { size: '20Gi', ...storage },
      controllerQuorumSize: 3,
      listeners: [{ name: 'internal', port: 9092, type: 'Internal' }],
      metrics: { enabled: true },
      rebalanceOnScale: false,
    },
  };
}

function planFor(c: KafkaCluster, observed: ObservedCluster, kafka?: KafkaClusterState): Plan {
  return plan({ cluster: c, observed, nowMs: NOW_MS, newClusterId: 'q1Sh-9_ISia_zwGINzRvyQ', options: OPTIONS, ...(kafka ? { kafka } : {}) });
}

const stsOf = (p: Plan) => p.desired.find((o) => o.kind === 'StatefulSet') as KubeObject & { spec: { replicas: number; template: any } };

/** What runs now: a StatefulSet of `n` (planned for a cluster of `n`), its pods Ready, claims 0..claims-1. */
function running(n: number, claims = n): ObservedCluster {
  const stored = withAppliedHash(stsOf(planFor(cluster(n), { configMap: null, statefulSet: null, services: [] })));
  const statefulSet = { ...stored, metadata: { ...stored.metadata, generation: 1 }, status: { observedGeneration: 1, replicas: n, readyReplicas: n, updateRevision: 'rev-1' } } as StatefulSetObserved;
  const template = stored.spec.template;
  const pods: PodObserved[] = range(n).map((i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `demo-${i}`, namespace: 'streaming', labels: { ...template.metadata.labels, 'controller-revision-hash': 'rev-1' }, annotations: template.metadata.annotations },
    spec: { containers: [{ name: 'broker', image: 'ghcr.io/example/tributary:0.1.0' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  const pvcs: KubeObject[] = range(claims).map((i) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-demo-${i}`, namespace: 'streaming' } }));
  return { configMap: null, statefulSet, services: [], pods, claims: pvcs };
}

const part = (name: string, replicas: number[]): KafkaPartition => {
  const [topic, index] = name.split('/');
  return { topic: topic!, partition: Number(index), replicas, isr: replicas };
};

function kafka(brokers: number[], partitions: KafkaPartition[], reassignment: boolean): KnownClusterState {
  return {
    kind: 'known',
    brokers: brokers.map((id) => ({ id })),
    controllerId: 0,
    partitions,
    minInsyncReplicas: {},
    quorum: null,
    reassigning: [],
    supports: { describeQuorum: false, listPartitionReassignments: reassignment, alterPartitionReassignments: reassignment, unregisterBroker: reassignment },
  };
}

const degraded = (p: Plan) => p.status.conditions?.find((c) => c.type === 'Degraded');
const HOSTED_ON_3 = [part('orders/0', [0, 3]), part('orders/1', [3, 1]), part('orders/2', [1, 2])];

test('scale down refused without reassignment support: Degraded says so, the StatefulSet keeps its replicas, nothing is deleted', (t) => {
  const p = planFor(cluster(3), running(4), kafka([0, 1, 2, 3], HOSTED_ON_3, false));
  t.is(stsOf(p).spec.replicas, 4, 'the StatefulSet is not lowered while broker 3 holds replicas');
  t.deepEqual(p.effects, [], 'no reassignment submitted, no pod or claim deleted');
  t.is(degraded(p)?.status, 'True');
  t.is(degraded(p)?.reason, 'ReassignmentUnsupported');
  t.true(degraded(p)?.message.startsWith(REASSIGNMENT_UNSUPPORTED));
  t.like(p.status.scaleDown, { fromBrokers: 4, toBrokers: 3, draining: [3], remainingReplicas: 2, phase: 'Blocked' });
  t.true(p.events.some((e) => e.type === 'Warning' && e.reason === 'ReassignmentUnsupported'));
  t.false(p.desired.some((o) => o.kind === 'KafkaCluster'), 'the user\'s spec is never written');
});

test('scale down with reassignment support drains first: reassignments are an effect, the StatefulSet keeps its size', (t) => {
  const p = planFor(cluster(3), running(4), kafka([0, 1, 2, 3], HOSTED_ON_3, true));
  t.is(stsOf(p).spec.replicas, 4);
  t.deepEqual(p.effects, [{ kind: 'reassignPartitions', reassignments: [{ topic: 'orders', partition: 0, replicas: [0, 2] }, { topic: 'orders', partition: 1, replicas: [0, 1] }] }]);
  t.like(p.status.scaleDown, { phase: 'Draining', draining: [3] });
  t.is(p.status.conditions?.find((c) => c.type === 'Progressing')?.reason, 'ScalingDown');
  t.is(degraded(p)?.status, 'False');
});

test('a reassignment the broker refuses as UNSUPPORTED_VERSION when carried out turns into the same Degraded condition', (t) => {
  const c = cluster(3);
  const p = planFor(c, running(4), kafka([0, 1, 2, 3], HOSTED_ON_3, true));
  const after = withEffectFailures(p, [{ action: 'reassignPartitions', unsupported: true, message: 'UNSUPPORTED_VERSION: The broker does not support this API version' }], c, NOW_MS);
  t.is(degraded(after)?.reason, 'ReassignmentUnsupported');
  t.regex(degraded(after)?.message ?? '', /^scale-down needs partition reassignment, which this broker version does not support yet \(UNSUPPORTED_VERSION/);
  t.is(after.status.scaleDown?.phase, 'Blocked');
  t.is(stsOf(after).spec.replicas, 4);
});

test('scale down with an unknown Kafka side does not move: StatefulSet unchanged, Blocked, no effects', (t) => {
  const unknown: KafkaClusterState = { kind: 'unknown', reason: 'the cluster at demo-bootstrap:9092 did not answer: timed out' };
  const p = planFor(cluster(3), running(4), unknown);
  t.is(stsOf(p).spec.replicas, 4);
  t.deepEqual(p.effects, []);
  t.is(p.status.scaleDown?.phase, 'Blocked');
  t.regex(p.status.scaleDown?.message ?? '', /cluster state unknown \(the cluster at demo-bootstrap:9092 did not answer: timed out\)/);
  t.is(degraded(p)?.reason, 'ScaleDownBlocked');
  const notAsked = planFor(cluster(3), running(4));
  t.true(notAsked.kafkaNeeded, 'a scale-down needs the Kafka side');
  t.is(stsOf(notAsked).spec.replicas, 4);
});

test('an empty draining broker lets the StatefulSet shrink; scale up needs no Kafka connection', (t) => {
  const p = planFor(cluster(3), running(4), kafka([0, 1, 2, 3], [part('orders/0', [0, 1])], true));
  t.is(stsOf(p).spec.replicas, 3);
  t.is(p.status.scaleDown?.phase, 'Shrinking');
  const up = planFor(cluster(5), running(4));
  t.false(up.kafkaNeeded);
  t.is(stsOf(up).spec.replicas, 5);
});

test('a claim is deleted only when deleteClaim is set and the planner allows it (broker gone, empty, unregistered)', (t) => {
  const leftover = running(3, 4); // claim data-demo-3 of a broker drained earlier
  const allowed = planFor(cluster(3, { deleteClaim: true }), leftover, kafka([0, 1, 2], [part('orders/0', [0, 1])], true));
  t.deepEqual(allowed.effects, [{ kind: 'deleteClaim', broker: 3, claim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'streaming', name: 'data-demo-3' } }]);
  t.deepEqual(planFor(cluster(3, { deleteClaim: false }), leftover, kafka([0, 1, 2], [], true)).effects, [], 'deleteClaim false keeps it');
  t.deepEqual(
    planFor(cluster(3, { deleteClaim: true }), leftover, kafka([0, 1, 2, 3], [], true)).effects,
    [{ kind: 'unregisterBrokers', brokers: [3] }],
    'still registered: unregistered first, the claim kept',
  );
  const unknown = planFor(cluster(3, { deleteClaim: true }), leftover, { kind: 'unknown', reason: 'refused' });
  t.deepEqual(unknown.effects, [], 'unknown Kafka side: kept');
  t.true(planFor(cluster(3, { deleteClaim: true }), leftover).kafkaNeeded);
});
