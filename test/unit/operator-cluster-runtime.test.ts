// The operator runtime's pure parts: the work queue (de-duplication, per-key serialisation,
// capped exponential back-off, delayed adds on an injected clock), the leader-election decision
// (take / renew / wait, expiry judged on the local clock), and the compare-before-apply predicate.
// The drivers (watches, LeaderElector against real Leases) are tested in test/k8s/.
import test from 'ava';
import { ManualClock } from '../../operator/runtime/clock.js';
import { WorkQueue } from '../../operator/runtime/workqueue.js';
import { decideLease, leaseRecordKey, microTime } from '../../operator/runtime/leader-election.js';
import { APPLIED_HASH_ANNOTATION, isContainedIn, needsApply, withAppliedHash } from '../../operator/kube/apply.js';
import { canonicalJson, contentHash } from '../../operator/kube/hash.js';
import type { KubeObject } from '../../operator/kube/api.js';

test('the queue holds a key once however often it is added', async (t) => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  t.is(q.length, 2);
  t.is(await q.get(), 'a');
  t.is(await q.get(), 'b');
});

test('a key being processed is never handed out again until done; an add meanwhile is kept for later', async (t) => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  t.is(await q.get(), 'a');
  q.add('a');
  t.is(q.length, 0, 'not queued while in process');
  let second: string | null | undefined;
  void q.get().then((key) => (second = key));
  await Promise.resolve();
  t.is(second, undefined);
  q.done('a');
  await Promise.resolve();
  t.is(second, 'a', 're-queued by done because it was added during processing');
});

test('back-off doubles per failure up to the cap and forget resets it', (t) => {
  const q = new WorkQueue({ clock: new ManualClock(), backoffBaseMs: 100, backoffMaxMs: 1000 });
  const delays = Array.from({ length: 6 }, () => q.addRateLimited('k'));
  t.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  q.forget('k');
  t.is(q.backoffMs('k'), 100);
});

test('delayed adds fire on the injected clock; only the earliest pending delay per key is kept', async (t) => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('k', 1000);
  q.addAfter('k', 5000);
  t.is(clock.pendingTimers(), 1);
  clock.advance(999);
  t.is(q.length, 0);
  clock.advance(1);
  t.is(q.length, 1);
  t.is(await q.get(), 'k');
});

test('shutDown releases waiting workers with null', async (t) => {
  const q = new WorkQueue({ clock: new ManualClock() });
  const waiting = q.get();
  q.shutDown();
  t.is(await waiting, null);
  t.is(await q.get(), null);
});

const LEASE_MS = 15_000;
const T0 = Date.UTC(2025, 0, 1);

test('lease: a missing or released lease is taken; our own lease is renewed', (t) => {
  const taken = decideLease(null, 'a', T0, T0, LEASE_MS);
  t.is(taken.action, 'take');
  t.like(taken.action === 'take' ? taken.spec : {}, { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: microTime(T0) });
  const released = decideLease({ holderIdentity: '', leaseTransitions: 3 }, 'b', T0, T0, LEASE_MS);
  t.like(released.action === 'take' ? released.spec : {}, { holderIdentity: 'b', leaseTransitions: 3 });
  const renewed = decideLease({ holderIdentity: 'a', acquireTime: microTime(T0), leaseTransitions: 0 }, 'a', T0 + 2000, T0, LEASE_MS);
  t.is(renewed.action, 'renew');
  t.like(renewed.action === 'renew' ? renewed.spec : {}, { holderIdentity: 'a', acquireTime: microTime(T0), renewTime: microTime(T0 + 2000) });
});

test('lease: another holder is waited for until its record has been unchanged for the lease duration (local clock)', (t) => {
  // The holder's renewTime is far in the past by our clock (skew): we still wait from when we saw it.
  const held = { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: microTime(T0 - 3_600_000), leaseTransitions: 0 };
  const waiting = decideLease(held, 'b', T0 + 14_999, T0, LEASE_MS);
  t.deepEqual(waiting, { action: 'wait', holder: 'a', expiresAtMs: T0 + 15_000 });
  const takeover = decideLease(held, 'b', T0 + 15_000, T0, LEASE_MS);
  t.like(takeover.action === 'take' ? takeover.spec : {}, { holderIdentity: 'b', leaseTransitions: 1 });
  t.not(leaseRecordKey(held), leaseRecordKey({ ...held, renewTime: microTime(T0) }), 'a renew is a new record');
});

test('microTime has six fractional digits, as MicroTime requires', (t) => {
  t.is(microTime(Date.UTC(2025, 0, 1, 0, 0, 0, 123)), '2025-01-01T00:00:00.123000Z');
});

const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' }, data });

test('apply is needed when nothing exists, when the desired hash changed, or when an owned field drifted', (t) => {
  const desired = withAppliedHash(cm({ a: '1' }));
  t.true(needsApply(desired, null));
  const stored = { ...desired, metadata: { ...desired.metadata, uid: 'u', resourceVersion: '7', managedFields: [] }, extra: true };
  t.false(needsApply(desired, stored), 'server-added fields do not count');
  t.true(needsApply(withAppliedHash(cm({ a: '2' })), stored));
  t.true(needsApply(desired, { ...stored, data: { a: 'edited' } }));
  t.true(needsApply(desired, { ...stored, metadata: { ...stored.metadata, annotations: {} } }));
  t.is(desired.metadata.annotations?.[APPLIED_HASH_ANNOTATION], contentHash(cm({ a: '1' })));
});

test('containment tolerates numbers written as strings and empty desired values the server drops', (t) => {
  t.true(isContainedIn({ port: 9092, labels: {} }, { port: '9092' }));
  t.false(isContainedIn({ list: [1, 2] }, { list: [1] }));
  t.true(isContainedIn({ list: [] }, {}));
});

test('canonical JSON sorts keys so equal content hashes equally', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } }), '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
  t.is(contentHash({ b: 1, a: 2 }), contentHash({ a: 2, b: 1 }));
  t.not(contentHash({ a: 1 }), contentHash({ a: 2 }));
});
