// plan() for KafkaCluster with the rollout planner wired in: a config change rolls the brokers one
// pod per reconcile, in the planner's order (voters, the active controller last), waiting for each
// restarted broker to be Ready and back in every ISR; an unknown Kafka side blocks every restart.
// The Kafka side is a literal `KafkaClusterState` (what a ClusterObserver returns), the Kubernetes
// side literal JSON; each step feeds the status just planned back in, as the API server would.
import test from 'ava';
import type { KafkaCluster } from '../../operator/api/v1alpha1.js';
import type { KubeObject } from '../../operator/kube/api.js';
import { withAppliedHash } from '../../operator/kube/apply.js';
import { plan, type ObservedCluster, type Plan, type PlanInput, type StatefulSetObserved } from '../../operator/controllers/kafkacluster/plan.js';
import type { PodObserved } from '../../operator/controllers/kafkacluster/broker-pods.js';
import type { KafkaClusterState, KafkaPartition, KnownClusterState } from '../../operator/controllers/kafkacluster/cluster-observer.js';
import { BOOTSTRAP_OVERRIDE_ANNOTATION, clusterKeyOfPod, operatorBootstrapServers } from '../../operator/controllers/kafkacluster/index.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);
const SECOND = 1000;

function cluster(config: Record<string, string>, generation: number): KafkaCluster {
  return {
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'KafkaCluster',
    metadata: { name: 'demo', namespace: 'streaming', uid: '0b5c6a2e-1111-4c3d-9e8f-000000000001', generation },
    spec: {
      brokers: 3,
      image: 'ghcr.io/example/tributary:0.1.0',
      storage: { size: '20Gi', deleteClaim: false },
      config: { 'min.insync.replicas': '2', ...config },
      listeners: [{ name: 'internal', port: 9092, type: 'Internal' }],
      metrics: { enabled: true },
      rebalanceOnScale: false,
    },
  };
}

const NOTHING: ObservedCluster = { configMap: null, statefulSet: null, services: [] };
const OPTIONS = { defaultImage: 'tributary:latest', clusterDomain: 'cluster.local' };

function planFor(c: KafkaCluster, observed: ObservedCluster, nowMs: number, kafka?: KafkaClusterState): Plan {
  const input: PlanInput = { cluster: c, observed, nowMs, newClusterId: 'q1Sh-9_ISia_zwGINzRvyQ', options: OPTIONS, ...(kafka ? { kafka } : {}) };
  return plan(input);
}

function desiredSts(p: Plan): KubeObject & Record<string, any> {
  return p.desired.find((o) => o.kind === 'StatefulSet') as KubeObject & Record<string, any>;
}

/** The StatefulSet as stored after the operator applied it and the StatefulSet controller saw it. */
function storedSts(p: Plan, generation: number, revision: string): StatefulSetObserved {
  const sts = withAppliedHash(desiredSts(p));
  return { ...sts, metadata: { ...sts.metadata, generation }, status: { observedGeneration: generation, replicas: 3, readyReplicas: 3, updateRevision: revision } } as StatefulSetObserved;
}

/** A broker pod as the StatefulSet controller creates it from `sts` (and the kubelet reports it). */
function podFrom(sts: StatefulSetObserved, ordinal: number, ready: boolean): PodObserved {
  const template = (sts as unknown as Record<string, any>)['spec'].template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `demo-${ordinal}`,
      namespace: 'streaming',
      labels: { ...template.metadata.labels, 'controller-revision-hash': sts.status!.updateRevision! },
      annotations: template.metadata.annotations,
    },
    spec: { containers: template.spec.containers.map((c: { name: string; image: string }) => ({ name: c.name, image: c.image })) },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

const part = (name: string, replicas: number[], isr: number[] = replicas): KafkaPartition => {
  const [topic, index] = name.split('/');
  return { topic: topic!, partition: Number(index), replicas, isr };
};

/** Brokers 0-2 registered, broker 1 the active controller, no DescribeQuorum (derived from pods). */
function kafkaWith(partitions: KafkaPartition[]): KnownClusterState {
  return {
    kind: 'known',
    brokers: [{ id: 0 }, { id: 1 }, { id: 2 }],
    controllerId: 1,
    partitions,
    minInsyncReplicas: { orders: 2 },
    quorum: null,
    reassigning: [],
    supports: { describeQuorum: false, listPartitionReassignments: false, alterPartitionReassignments: false, unregisterBroker: false },
  };
}

const ALL_IN_SYNC = [part('orders/0', [0, 1, 2]), part('orders/1', [1, 2, 0]), part('orders/2', [2, 0, 1])];

const restarts = (p: Plan) => p.effects.filter((e) => e.kind === 'restartBroker').map((e) => (e.kind === 'restartBroker' ? e.pod.name : ''));
const blockers = (p: Plan) => Object.fromEntries((p.status.rollout ?? []).map((e) => [e.broker, e.blockedBy ?? null]));
const condition = (p: Plan, type: string) => p.status.conditions?.find((c) => c.type === type);

/** A 3-broker cluster that runs config v1 everywhere, then the spec moves to v2. */
function rolledCluster() {
  const v1 = cluster({ 'log.retention.hours': '72' }, 1);
  const stsV1 = storedSts(planFor(v1, NOTHING, T0), 1, 'rev-1');
  const pods = [0, 1, 2].map((i) => podFrom(stsV1, i, true));
  const steady = planFor(v1, { ...NOTHING, statefulSet: stsV1, pods }, T0);
  const v2 = { ...cluster({ 'log.retention.hours': '24' }, 2), status: steady.status };
  return { v1, stsV1, pods, steady, v2 };
}

test('a cluster that runs the desired spec on every pod needs no Kafka connection and restarts nothing', (t) => {
  const { steady } = rolledCluster();
  t.false(steady.kafkaNeeded);
  t.deepEqual(steady.effects, []);
  t.is(steady.status.rollout, undefined);
});

test('config change on 3 brokers: one pod per reconcile, voters first and the active controller last, each waiting until the last is Ready and in every ISR', (t) => {
  const { pods: podsV1, v2 } = rolledCluster();
  let now = T0 + 60 * SECOND;
  let c: KafkaCluster = v2;

  // Reconcile 1: the StatefulSet still has the old template (the operator applies it now).
  const before = planFor(c, { ...NOTHING, statefulSet: rolledCluster().stsV1, pods: podsV1 }, now);
  t.true(before.kafkaNeeded, 'outdated pods: the Kafka side must be asked');
  const first = planFor(c, { ...NOTHING, statefulSet: rolledCluster().stsV1, pods: podsV1 }, now, kafkaWith(ALL_IN_SYNC));
  t.deepEqual(restarts(first), [], 'no pod is deleted before the StatefulSet has the new template');
  t.deepEqual(first.status.rollout?.map((e) => e.reason), ['config changed', 'config changed', 'config changed']);
  t.regex(first.status.rollout?.[0]?.blockedBy ?? '', /StatefulSet is being updated/);
  t.true(first.events.some((e) => e.reason === 'RollingRestartStarted'));
  c = { ...c, status: first.status };

  // The StatefulSet now holds the v2 template and its controller has seen it (revision rev-2).
  const stsV2 = storedSts(first, 2, 'rev-2');
  let pods = [...podsV1];
  const order: string[] = [];
  const events: string[] = [];
  const step = (kafka: KnownClusterState) => {
    now += 5 * SECOND;
    const p = planFor(c, { ...NOTHING, statefulSet: stsV2, pods }, now, kafka);
    c = { ...c, status: p.status };
    events.push(...p.events.map((e) => e.reason));
    return p;
  };
  for (const expected of [0, 2, 1]) {
    const p = step(kafkaWith(ALL_IN_SYNC));
    t.deepEqual(restarts(p), [`demo-${expected}`], `exactly one pod: broker ${expected}`);
    t.is(p.status.rollout?.[0]?.broker, expected, 'the restarting broker heads status.rollout');
    t.is(condition(p, 'Progressing')?.reason, 'RollingRestart');
    t.true(p.events.some((e) => e.reason === 'RollingRestart' && e.message.startsWith(`restarting broker ${expected}`)));
    order.push(restarts(p)[0]!);

    // The pod is gone (deleted; the StatefulSet controller has not recreated it yet).
    pods = pods.filter((x) => x.metadata.name !== `demo-${expected}`);
    const gone = step(kafkaWith(ALL_IN_SYNC));
    t.deepEqual(restarts(gone), []);
    t.true(Object.values(blockers(gone)).every((b) => b === `broker ${expected} is restarting`));

    // Recreated from the new template, not Ready yet.
    pods = [...pods, podFrom(stsV2, expected, false)].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    const starting = step(kafkaWith(ALL_IN_SYNC));
    t.deepEqual(restarts(starting), []);
    t.true(Object.values(blockers(starting)).every((b) => b === `broker ${expected} not ready`));
    t.false(Object.keys(blockers(starting)).includes(String(expected)), 'the restarted broker runs the new config');

    // Ready, but not yet back in the ISR of the partitions it replicates.
    pods = pods.map((x) => (x.metadata.name === `demo-${expected}` ? podFrom(stsV2, expected, true) : x));
    const catchingUp = kafkaWith(ALL_IN_SYNC.map((p) => ({ ...p, isr: p.isr.filter((id) => id !== expected) })));
    const lagging = step(catchingUp);
    const waiting = step(catchingUp);
    t.deepEqual(restarts(waiting), []);
    for (const blocker of Object.values(blockers(waiting))) t.regex(blocker ?? '', new RegExp(`^broker ${expected} not yet back in ISR of orders/0, orders/1, orders/2`));
    t.deepEqual(waiting.status.rollout?.map((e) => e.since), lagging.status.rollout?.map((e) => e.since), 'since stays while the blocker stays');
    t.true((waiting.status.rollout ?? []).every((e) => e.since === new Date(Math.floor((now - 5 * SECOND) / 1000) * 1000).toISOString().replace('.000Z', 'Z')));
  }
  t.deepEqual(order, ['demo-0', 'demo-2', 'demo-1']);

  const done = step(kafkaWith(ALL_IN_SYNC));
  t.deepEqual(done.effects, []);
  t.is(done.status.rollout, undefined, 'status.rollout is gone once every broker runs the new config');
  t.deepEqual(events.filter((e) => e.startsWith('RollingRestart')), [
    'RollingRestart', 'RollingRestart', 'RollingRestart', 'RollingRestartFinished',
  ], 'one event per pod deleted, then Finished once (Started came with the first plan); waiting is not "blocked"');
});

test('a partition at min.insync.replicas holds back the broker whose restart would take it below; status.rollout says which', (t) => {
  const { v2, pods } = rolledCluster();
  const first = planFor(v2, { ...NOTHING, statefulSet: rolledCluster().stsV1, pods }, T0);
  const sts = storedSts(first, 2, 'rev-2');
  const kafka = kafkaWith([part('orders/0', [0, 1, 2], [0, 1]), part('orders/1', [1, 2, 0])]);
  const p = planFor({ ...v2, status: first.status }, { ...NOTHING, statefulSet: sts, pods }, T0 + SECOND, kafka);
  t.deepEqual(restarts(p), ['demo-2'], 'broker 0 is skipped: orders/0 would drop below min.insync.replicas');
  t.is(blockers(p)['0'], 'partition orders/0 ISR=2 = min.insync.replicas');
  t.truthy(p.status.rollout?.find((e) => e.broker === 0)?.since);
});

test('an unreachable cluster blocks every restart and the blocker says so; a Warning event is emitted once', (t) => {
  const { v2, pods } = rolledCluster();
  const first = planFor(v2, { ...NOTHING, statefulSet: rolledCluster().stsV1, pods }, T0, kafkaWith(ALL_IN_SYNC));
  t.is(condition(first, 'Progressing')?.reason, 'RollingRestart', 'waiting for the StatefulSet is progress, not a block');
  const sts = storedSts(first, 2, 'rev-2');
  const unknown: KafkaClusterState = { kind: 'unknown', reason: 'the cluster at demo-bootstrap.streaming.svc.cluster.local:9092 did not answer: Connection refused' };
  const p = planFor({ ...v2, status: first.status }, { ...NOTHING, statefulSet: sts, pods }, T0 + SECOND, unknown);
  t.deepEqual(p.effects, [], 'nothing is deleted blind');
  t.is(p.status.rollout?.length, 3);
  for (const blocker of Object.values(blockers(p))) t.regex(blocker ?? '', /^cluster state unknown: the cluster at demo-bootstrap.* did not answer: Connection refused; no broker restarts/);
  t.is(condition(p, 'Progressing')?.reason, 'RollingRestartBlocked');
  t.true(p.events.some((e) => e.type === 'Warning' && e.reason === 'RollingRestartBlocked'));
  const again = planFor({ ...v2, status: p.status }, { ...NOTHING, statefulSet: sts, pods }, T0 + 2 * SECOND, unknown);
  t.false(again.events.some((e) => e.reason === 'RollingRestartBlocked'), 'not repeated while it stays blocked');
  t.deepEqual(again.status.rollout, p.status.rollout, 'same blockers, same since: nothing new to write');

  const notAsked = planFor({ ...v2, status: first.status }, { ...NOTHING, statefulSet: sts, pods }, T0 + SECOND);
  t.deepEqual(notAsked.effects, [], 'without an observation nothing restarts either');
  t.true(notAsked.kafkaNeeded);
});

test('an image change is a reason of its own; a pod behind the StatefulSet revision restarts for "pod changed"', (t) => {
  const { v1, stsV1, pods } = rolledCluster();
  const newImage = { ...v1, metadata: { ...v1.metadata, generation: 2 }, spec: { ...v1.spec, image: 'ghcr.io/example/tributary:0.2.0' } };
  const first = planFor(newImage, { ...NOTHING, statefulSet: stsV1, pods }, T0);
  t.deepEqual(first.status.rollout?.map((e) => e.reason), Array(3).fill('image changed: ghcr.io/example/tributary:0.1.0 -> ghcr.io/example/tributary:0.2.0'));

  const revised = { ...stsV1, status: { ...stsV1.status, updateRevision: 'rev-9' } } as StatefulSetObserved;
  const p = planFor(v1, { ...NOTHING, statefulSet: revised, pods }, T0, kafkaWith(ALL_IN_SYNC));
  t.deepEqual(p.status.rollout?.map((e) => e.reason), Array(3).fill('pod changed: template revision rev-1 -> rev-9'));
  t.deepEqual(restarts(p), ['demo-0']);
});

test('DescribeQuorum, when the broker has it, decides the voters and the active controller', (t) => {
  const { v2, pods } = rolledCluster();
  const first = planFor(v2, { ...NOTHING, statefulSet: rolledCluster().stsV1, pods }, T0);
  const sts = storedSts(first, 2, 'rev-2');
  const kafka: KnownClusterState = { ...kafkaWith(ALL_IN_SYNC), quorum: { voters: [0, 1, 2], caughtUp: [0, 2], leader: 0 } };
  const p = planFor({ ...v2, status: first.status }, { ...NOTHING, statefulSet: sts, pods }, T0 + SECOND, kafka);
  t.deepEqual(p.status.rollout?.map((e) => e.broker), [1, 2, 0], 'the leader (0) goes last');
  t.deepEqual(restarts(p), ['demo-1'], 'broker 1 is not caught up: restarting it keeps the caught-up majority');
  t.regex(blockers(p)['2'] ?? '', /waiting for broker 1/);
});

test('the operator asks the bootstrap-override annotation when set, else the Internal listener\'s bootstrap Service', (t) => {
  const c = cluster({}, 1);
  t.deepEqual(operatorBootstrapServers(c, 'cluster.local'), ['demo-bootstrap.streaming.svc.cluster.local:9092']);
  const overridden = { ...c, metadata: { ...c.metadata, annotations: { [BOOTSTRAP_OVERRIDE_ANNOTATION]: '127.0.0.1:19092, 127.0.0.1:19093' } } };
  t.deepEqual(operatorBootstrapServers(overridden, 'cluster.local'), ['127.0.0.1:19092', '127.0.0.1:19093']);
});

test('a broker pod wakes its cluster\'s key (by the operator\'s labels); other pods wake nothing', (t) => {
  const { pods } = rolledCluster();
  t.deepEqual(clusterKeyOfPod(pods[0]!), ['streaming/demo']);
  t.deepEqual(clusterKeyOfPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'streaming', labels: { 'app.kubernetes.io/instance': 'demo' } } }), []);
});
