// Leader election and the operator process against a real kube-apiserver + etcd.
// - Two LeaderElectors over one real Lease: one leads; a graceful stop releases the lease and the
//   other takes over at once; a leader that can no longer reach the API server (its KubeApi fails
//   every call: the faulty twin) stops leading after its renew deadline and the other takes over
//   once the lease has expired on its own clock.
// - Two `operator/main.ts` child processes: one leader reconciles a KafkaCluster (its StatefulSet
//   appears), /healthz and /metrics answer, SIGTERM makes it exit 0 after releasing the lease, and
//   the second becomes leader.
// No kubelet runs here, so no broker pod starts. Needs `npm run setup:k8s` once.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlPlane, freeLoopbackPort, type ControlPlane, eventually as pollUntil } from './control-plane.js';
import { API_VERSION } from '../../operator/api/v1alpha1.js';
import { createKubeApi, loadKubeConfig } from '../../operator/kube/client.js';
import { recordingKubeApi } from '../../operator/kube/recording.js';
import type { KubeApi } from '../../operator/kube/api.js';
import { LeaderElector, type Lease } from '../../operator/runtime/leader-election.js';
import { systemClock } from '../../operator/runtime/clock.js';
import { silentLogger } from '../../broker/io/logger.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let controlPlane: ControlPlane | undefined;
let api: KubeApi;

function plane(): ControlPlane {
  if (!controlPlane) throw new Error('control plane not started (see the before hook failure)');
  return controlPlane;
}

function kubectlOk(args: string[], input?: string): Promise<string> {
  return plane().kubectlOk(args, input);
}

function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return pollUntil(what, probe, timeoutMs, 150);
}

async function holder(name: string): Promise<string | undefined> {
  const lease = await api.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name });
  return lease?.spec?.holderIdentity;
}

test.before(async () => {
  controlPlane = await startControlPlane();
  await kubectlOk(['apply', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kafkaclusters.tributary.io', 'crd/kafkatopics.tributary.io']);
  api = createKubeApi(loadKubeConfig(controlPlane.kubeconfigPath));
});

test.after.always(async () => {
  await controlPlane?.stop();
});

function elector(name: string, identity: string, kube: KubeApi, log: string[]): LeaderElector {
  return new LeaderElector({
    api: kube,
    clock: systemClock,
    logger: silentLogger,
    identity,
    namespace: 'default',
    name,
    leaseDurationMs: 3_000,
    renewDeadlineMs: 2_000,
    retryPeriodMs: 250,
    onStartedLeading: () => log.push(`${identity} started`),
    onStoppedLeading: () => log.push(`${identity} stopped`),
  });
}

test.serial('two electors: one leads; a graceful stop releases the lease and the other takes over at once', async (t) => {
  const log: string[] = [];
  const a = elector('handoff', 'a', api, log);
  const b = elector('handoff', 'b', api, log);
  a.start();
  await eventually('a leading', async () => a.isLeader());
  b.start();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  t.false(b.isLeader(), 'b waits while a renews');
  t.is(await holder('handoff'), 'a');
  const stoppedAt = Date.now();
  await a.stop();
  await eventually('b leading', async () => b.isLeader());
  t.true(Date.now() - stoppedAt < 2_500, 'no need to wait for the 3 s lease to expire after a release');
  t.is(await holder('handoff'), 'b');
  t.deepEqual(log, ['a started', 'a stopped', 'b started']);
  const lease = await api.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: 'handoff' });
  t.is(lease?.spec?.leaseTransitions, 0, 'a released lease is taken without counting a transition');
  await b.stop();
});

test.serial('two electors: a leader cut off from the API server steps down; the other takes over after the lease expires', async (t) => {
  const log: string[] = [];
  let cutOff = false;
  const faulty = recordingKubeApi(api, () => {
    if (cutOff) throw new Error('connection refused (injected)');
  });
  const a = elector('crash', 'a', faulty.api, log);
  const b = elector('crash', 'b', api, log);
  a.start();
  await eventually('a leading', async () => a.isLeader());
  b.start();
  cutOff = true;
  const cutAt = Date.now();
  await eventually('a stepping down', async () => !a.isLeader());
  await eventually('b leading', async () => b.isLeader());
  const elapsed = Date.now() - cutAt;
  t.true(elapsed >= 2_500, `b waited for the lease to expire (${elapsed} ms)`);
  t.is(await holder('crash'), 'b');
  t.is(log.indexOf('a stopped') < log.indexOf('b started'), true, `a stepped down before b led: ${log.join(', ')}`);
  const lease = await api.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'default', name: 'crash' });
  t.is(lease?.spec?.leaseTransitions, 1);
  await Promise.all([a.stop(), b.stop()]);
});

test.serial('the optimistic lock the elector relies on: an apply with a stale resourceVersion, or a second creator without force, gets 409', async (t) => {
  const lease = (holderIdentity: string, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'lock', namespace: 'default', ...(resourceVersion ? { resourceVersion } : {}) },
    spec: { holderIdentity },
  });
  const created = await api.apply(lease('a'), { fieldManager: 'elector-a' });
  const error = await t.throwsAsync(api.apply(lease('b'), { fieldManager: 'elector-b' }));
  t.is((error as { status?: number }).status, 409, 'a second creator conflicts on holderIdentity');
  const renewed = await api.apply(lease('a-renewed', created.metadata.resourceVersion), { fieldManager: 'elector-a', force: true });
  t.not(renewed.metadata.resourceVersion, created.metadata.resourceVersion);
  const stale = await t.throwsAsync(api.apply(lease('b', created.metadata.resourceVersion), { fieldManager: 'elector-b', force: true }));
  t.is((stale as { status?: number }).status, 409, 'a write based on an old read is refused');
  t.is(await holder('lock'), 'a-renewed');
});

test.serial('two electors started together: exactly one leads', async (t) => {
  const log: string[] = [];
  const electors = ['x', 'y'].map((id) => elector('together', id, api, log));
  for (const e of electors) e.start();
  await eventually('a leader', async () => electors.some((e) => e.isLeader()));
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  t.is(electors.filter((e) => e.isLeader()).length, 1, log.join(', '));
  await Promise.all(electors.map((e) => e.stop()));
});

interface OperatorChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

async function startOperatorProcess(identity: string): Promise<OperatorChild> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'operator', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      KUBECONFIG: plane().kubeconfigPath,
      OPERATOR_IDENTITY: identity,
      WATCH_NAMESPACES: 'default',
      LEASE_NAME: 'tributary-operator',
      LEASE_DURATION_MS: '4000',
      RENEW_DEADLINE_MS: '3000',
      RETRY_PERIOD_MS: '300',
      HTTP_ADDRESS: `127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, port, output, exited };
}

async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, body: await res.text() };
}

test.serial('two operator processes: one leads and reconciles; after SIGTERM it releases the lease and exits 0, and the other takes over', async (t) => {
  const first = await startOperatorProcess('operator-a');
  let second: OperatorChild | undefined;
  try {
    await eventually('operator-a leading', async () => (await holder('tributary-operator')) === 'operator-a', 60_000);
    second = await startOperatorProcess('operator-b');
    const health = await eventually('operator-b /healthz', async () => {
      const answer = await httpGet(second!.port, '/healthz');
      return answer.status === 200 && answer;
    }, 60_000);
    t.like(JSON.parse(health.body), { status: 'ok', leader: false, identity: 'operator-b' });

    const cluster = { apiVersion: API_VERSION, kind: 'KafkaCluster', metadata: { name: 'managed', namespace: 'default' }, spec: { brokers: 1 } };
    await kubectlOk(['apply', '--server-side', '--field-manager=platform-team', '-f', '-'], JSON.stringify(cluster));
    await eventually('the StatefulSet from operator-a', () => api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'default', name: 'managed' }));
    // The StatefulSet appears mid-reconcile; the counter moves when that reconcile finishes.
    const metricsA = await eventually('operator-a counted a finished reconcile', async () => {
      const answer = await httpGet(first.port, '/metrics');
      return /tributary_operator_reconciles_total\{controller="kafkacluster",outcome="[a-z]+"\} [1-9]/.test(answer.body) && answer;
    });
    t.regex(metricsA.body, /tributary_operator_leader 1/);
    t.regex(metricsA.body, /tributary_operator_reconciles_total\{controller="kafkacluster",outcome="[a-z]+"\} [1-9]/);
    t.regex(metricsA.body, /tributary_operator_reconcile_duration_seconds_bucket/);
    t.regex(metricsA.body, /tributary_operator_workqueue_depth\{controller="kafkacluster"\}/);
    t.regex((await httpGet(second.port, '/metrics')).body, /tributary_operator_leader 0/);

    first.child.kill('SIGTERM');
    t.is(await first.exited, 0, first.output.join(''));
    const logLines = first.output.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { message: string });
    t.true(logLines.some((l) => l.message === 'released the lease'), 'structured JSON logs record the release');
    await eventually('operator-b leading', async () => (await holder('tributary-operator')) === 'operator-b', 10_000);
    await eventually('operator-b /healthz says leader', async () => JSON.parse((await httpGet(second!.port, '/healthz')).body).leader === true);

    // The new leader reconciles too: a spec change reaches the StatefulSet.
    await kubectlOk(['apply', '--server-side', '--field-manager=platform-team', '-f', '-'], JSON.stringify({ ...cluster, spec: { brokers: 2 } }));
    await eventually('2 replicas from operator-b', async () => {
      const sts = await api.get<{ spec?: { replicas?: number } } & import('../../operator/kube/api.js').KubeObject>({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'default', name: 'managed' });
      return sts?.spec?.replicas === 2;
    });
    t.pass();
  } finally {
    if (first.child.exitCode === null) first.child.kill('SIGKILL');
    if (second && second.child.exitCode === null) {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }
});
