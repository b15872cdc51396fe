/**
 * The classic group coordinator, path by path: join/sync/heartbeat/leave, static membership,
 * timers, offsets, admin calls and replay. Each test drives the pure state machine with explicit
 * `nowMs` and reads answers by request id.
 */
import test from 'ava';
import {
  GroupCoordinator, GroupErrors as E, decodeKey, encodeSubscription,
  type CoordinatorRecord, type GroupCoordinatorConfig, type GroupInput, type GroupOutput,
  type JoinGroupResponse, type ResponseByKind, type ResponseKind, type SyncGroupResponse,
} from '../../broker/coordinator/index.js';

// ------------------------------------------------------------------ harness

interface JoinOpts {
  groupId?: string; memberId?: string; instanceId?: string | null; topics?: string[]; protocol?: string;
  protocolType?: string; sessionTimeoutMs?: number; rebalanceTimeoutMs?: number; apiVersion?: number; clientId?: string;
}

class Harness {
  readonly c: GroupCoordinator;
  nowMs = 1_000;
  private nextRequestId = 1;
  readonly records: CoordinatorRecord[] = [];
  readonly answers = new Map<number, { kind: ResponseKind; response: unknown }>();
  last!: GroupOutput;

  constructor(config: Partial<GroupCoordinatorConfig> = {}, partitionExists?: (t: string, p: number) => boolean) {
    let n = 0;
    this.c = new GroupCoordinator({ randomUuid: () => `u${++n}`, ...(partitionExists ? { partitionExists } : {}) },
      { groupInitialRebalanceDelayMs: 0, ...config });
  }

  step(input: GroupInput): GroupOutput {
    this.last = this.c.handle(input, this.nowMs);
    this.records.push(...this.last.records);
    for (const r of this.last.responses) {
      if (this.answers.has(r.requestId)) throw new Error(`request ${r.requestId} answered twice`);
      this.answers.set(r.requestId, { kind: r.kind, response: r.response });
    }
    return this.last;
  }

  send<K extends Exclude<GroupInput['kind'], 'tick'>>(kind: K, req: Extract<GroupInput, { kind: K }>['req'], apiVersion = 9, clientId = 'c'): number {
    const requestId = this.nextRequestId++;
    this.step({ kind, requestId, apiVersion, req, ...(kind === 'join' ? { clientId, clientHost: '/10.0.0.1' } : {}) } as GroupInput);
    return requestId;
  }

  answer<K extends ResponseKind>(requestId: number, kind: K): ResponseByKind[K] | undefined {
    const a = this.answers.get(requestId);
    if (a === undefined) return undefined;
    if (a.kind !== kind) throw new Error(`request ${requestId} answered as ${a.kind}`);
    return a.response as ResponseByKind[K];
  }

  must<K extends ResponseKind>(requestId: number, kind: K): ResponseByKind[K] {
    const a = this.answer(requestId, kind);
    if (a === undefined) throw new Error(`request ${requestId} not answered`);
    return a;
  }

  tick(advanceMs: number): GroupOutput {
    this.nowMs += advanceMs;
    return this.step({ kind: 'tick' });
  }

  join(o: JoinOpts = {}): number {
    return this.send('join', {
      groupId: o.groupId ?? 'g', sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000, rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 30_000,
      memberId: o.memberId ?? '', groupInstanceId: o.instanceId ?? null, protocolType: o.protocolType ?? 'consumer',
      protocols: [{ name: o.protocol ?? 'range', metadata: encodeSubscription(o.topics ?? ['t']) }], reason: null,
    }, o.apiVersion ?? 9, o.clientId ?? 'c');
  }

  /** The member id handed out by the last `joinNew`. */
  lastMemberId = '';

  /** Join with the MEMBER_ID_REQUIRED round trip; returns the request id of the real join. */
  joinNew(o: JoinOpts = {}): number {
    if (o.instanceId != null || (o.apiVersion ?? 9) < 4) return this.join(o);
    const first = this.must(this.join(o), 'join');
    if (first.errorCode !== E.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
    this.lastMemberId = first.memberId;
    return this.join({ ...o, memberId: first.memberId });
  }

  sync(memberId: string, generationId: number, assignments: Record<string, string> = {}, extra: Partial<{ protocolName: string | null; groupId: string; instanceId: string | null }> = {}): number {
    return this.send('sync', {
      groupId: extra.groupId ?? 'g', generationId, memberId, groupInstanceId: extra.instanceId ?? null, protocolType: 'consumer',
      protocolName: extra.protocolName === undefined ? 'range' : extra.protocolName,
      assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })),
    });
  }

  heartbeat(memberId: string, generationId: number, groupId = 'g', instanceId: string | null = null): number {
    return this.must(this.send('heartbeat', { groupId, generationId, memberId, groupInstanceId: instanceId }), 'heartbeat').errorCode;
  }

  commit(memberId: string, generationId: number, offsets: Record<string, number>, groupId = 'g', apiVersion = 9): number[] {
    const topics = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>>();
    for (const [tp, offset] of Object.entries(offsets)) {
      const [topic, p] = tp.split(':') as [string, string];
      if (!topics.has(topic)) topics.set(topic, []);
      topics.get(topic)!.push({ partitionIndex: Number(p), committedOffset: offset, committedLeaderEpoch: 3, committedMetadata: 'm' });
    }
    const res = this.must(this.send('offsetCommit', {
      groupId, generationIdOrMemberEpoch: generationId, memberId, groupInstanceId: null,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    }, apiVersion), 'offsetCommit');
    return res.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
  }

  fetch(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null) {
    return this.must(this.send('offsetFetch', { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable: true }), 'offsetFetch').groups[0]!;
  }

  state(groupId = 'g') { return this.c.snapshot(groupId)?.state ?? null; }
}

/**
 * Two dynamic members joined (CompletingRebalance, generation 2): a forms the group alone
 * (generation 1), b's arrival rebalances it and a rejoins.
 */
function twoJoined(h: Harness): { leader: string; follower: string; generationId: number } {
  const ja1 = h.must(h.joinNew({ clientId: 'a' }), 'join');
  const b = h.joinNew({ clientId: 'b' });
  const ja = h.must(h.join({ memberId: ja1.memberId, clientId: 'a' }), 'join');
  const jb = h.must(b, 'join');
  if (ja.leader !== ja.memberId || ja.generationId !== 2 || jb.generationId !== 2) throw new Error('unexpected join results');
  return { leader: ja.memberId, follower: jb.memberId, generationId: 2 };
}

/** `twoJoined`, then both sync: Stable, assignments 'A' (leader) and 'B' (follower). */
function stableGroupOfTwo(h: Harness): { leader: string; follower: string; generationId: number } {
  const g = twoJoined(h);
  const { leader, follower } = g;
  const s1 = h.sync(follower, g.generationId);
  const s2 = h.sync(leader, g.generationId, { [leader]: 'A', [follower]: 'B' });
  if (h.must(s1, 'sync').errorCode !== E.NONE || h.must(s2, 'sync').errorCode !== E.NONE) throw new Error('sync failed');
  return g;
}

// ------------------------------------------------------------------ JoinGroup

test('join v4+ without a member id answers MEMBER_ID_REQUIRED with a generated id, then admits it', (t) => {
  const h = new Harness();
  const first = h.must(h.join({ clientId: 'c' }), 'join');
  t.is(first.errorCode, E.MEMBER_ID_REQUIRED);
  t.is(first.memberId, 'c-u1');
  t.is(first.generationId, -1);
  const second = h.must(h.join({ memberId: first.memberId }), 'join');
  t.is(second.errorCode, E.NONE);
  t.is(second.generationId, 1);
  t.is(second.leader, first.memberId);
  t.is(second.memberId, first.memberId);
  t.is(second.protocolName, 'range');
  t.is(second.members.length, 1);
  t.is(h.state(), 'CompletingRebalance');
});

test('join v3 admits a member without the MEMBER_ID_REQUIRED round trip', (t) => {
  const h = new Harness();
  const r = h.must(h.join({ apiVersion: 3 }), 'join');
  t.is(r.errorCode, E.NONE);
  t.regex(r.memberId, /^c-u1$/);
});

const joinErrors: Array<[string, JoinOpts, number]> = [
  ['session timeout below group.min.session.timeout.ms', { sessionTimeoutMs: 5_999 }, E.INVALID_SESSION_TIMEOUT],
  ['session timeout above group.max.session.timeout.ms', { sessionTimeoutMs: 1_800_001 }, E.INVALID_SESSION_TIMEOUT],
  ['empty group id', { groupId: '' }, E.INVALID_GROUP_ID],
  ['member id for a group that does not exist', { memberId: 'ghost' }, E.UNKNOWN_MEMBER_ID],
  ['empty protocol type', { protocolType: '' }, E.INCONSISTENT_GROUP_PROTOCOL],
];
for (const [name, opts, code] of joinErrors) {
  test(`join rejects: ${name}`, (t) => {
    const h = new Harness();
    t.is(h.must(h.join(opts), 'join').errorCode, code);
    t.deepEqual(h.c.groupIds(), [], 'a failed join leaves no group behind');
  });
}

test('join rejects a protocol type or protocol set the group cannot use', (t) => {
  const h = new Harness();
  stableGroupOfTwo(h);
  t.is(h.must(h.join({ protocolType: 'connect' }), 'join').errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  t.is(h.must(h.join({ protocol: 'roundrobin' }), 'join').errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  t.is(h.must(h.join({ memberId: 'nobody' }), 'join').errorCode, E.UNKNOWN_MEMBER_ID);
});

test('group.max.size rejects a newcomer to a full Stable group', (t) => {
  const h = new Harness({ groupMaxSize: 2 });
  stableGroupOfTwo(h);
  const r = h.must(h.join({ apiVersion: 3 }), 'join');
  t.is(r.errorCode, E.GROUP_MAX_SIZE_REACHED);
  t.is(h.state(), 'Stable');
  t.is(h.c.snapshot('g')!.members.length, 2);
});

test('the initial rebalance delay collects members and extends while newcomers arrive', (t) => {
  const h = new Harness({ groupInitialRebalanceDelayMs: 3_000 });
  const a = h.joinNew({ rebalanceTimeoutMs: 10_000 });
  t.is(h.answer(a, 'join'), undefined, 'parked during the delay');
  t.is(h.last.nextDeadlineMs, h.nowMs + 3_000);
  h.nowMs += 1_000;
  const b = h.joinNew({ rebalanceTimeoutMs: 10_000 });
  h.tick(2_000); // first delay over, a member was added: extend by another delay
  t.is(h.answer(a, 'join'), undefined);
  h.tick(2_999);
  t.is(h.answer(a, 'join'), undefined);
  h.tick(1);
  t.is(h.must(a, 'join').generationId, 1);
  t.is(h.must(b, 'join').generationId, 1);
  t.is(h.must(a, 'join').members.length + h.must(b, 'join').members.length, 2, 'only the leader gets the member list');
});

test('full rebalance: leader gets all metadata, follower sync waits for the leader, group goes Stable', (t) => {
  const h = new Harness();
  const a = h.joinNew({ clientId: 'a', topics: ['t1'] });
  const ja = h.must(a, 'join');
  // A second member triggers a rebalance of the single-member group.
  const s = h.sync(ja.memberId, ja.generationId, { [ja.memberId]: 'A0' });
  t.is(h.must(s, 'sync').errorCode, E.NONE);
  const b = h.joinNew({ clientId: 'b', topics: ['t2'] });
  t.is(h.answer(b, 'join'), undefined, 'b waits for a to rejoin');
  t.is(h.heartbeat(ja.memberId, 1), E.REBALANCE_IN_PROGRESS);
  const a2 = h.join({ memberId: ja.memberId, clientId: 'a', topics: ['t1'] });
  const la = h.must(a2, 'join');
  const lb = h.must(b, 'join');
  t.is(la.generationId, 2);
  t.is(lb.generationId, 2);
  t.is(la.leader, ja.memberId, 'the old leader stays leader');
  t.deepEqual(la.members.map((m) => m.memberId).sort(), [ja.memberId, lb.memberId].sort());
  t.deepEqual(lb.members, []);
  const sf = h.sync(lb.memberId, 2);
  t.is(h.answer(sf, 'sync'), undefined, 'follower waits for the leader');
  const recordsBefore = h.records.length;
  const sl = h.sync(la.memberId, 2, { [la.memberId]: 'A', [lb.memberId]: 'B' });
  t.is(h.must(sl, 'sync').assignment.toString(), 'A');
  t.is(h.must(sf, 'sync').assignment.toString(), 'B');
  t.is(h.state(), 'Stable');
  const written = h.records.slice(recordsBefore);
  t.is(written.length, 1);
  t.deepEqual(decodeKey(written[0]!.key), { type: 'groupMetadata', group: 'g' });
  t.is(h.heartbeat(lb.memberId, 2), E.NONE);
});

test('a follower rejoining a Stable group with unchanged metadata gets the current generation without a rebalance', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const r = h.must(h.join({ memberId: g.follower, clientId: 'b' }), 'join');
  t.is(r.errorCode, E.NONE);
  t.is(r.generationId, g.generationId);
  t.deepEqual(r.members, []);
  t.is(h.state(), 'Stable');
});

test('the leader rejoining a Stable group starts a rebalance', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const r = h.join({ memberId: g.leader });
  t.is(h.answer(r, 'join'), undefined);
  t.is(h.state(), 'PreparingRebalance');
  t.is(h.heartbeat(g.follower, g.generationId), E.REBALANCE_IN_PROGRESS);
});

test('a rejoin with the same metadata during CompletingRebalance repeats the lost join answer', (t) => {
  const h = new Harness();
  const a = h.must(h.joinNew(), 'join');
  t.is(h.state(), 'CompletingRebalance');
  const again = h.must(h.join({ memberId: a.memberId }), 'join');
  t.deepEqual({ ...again }, { ...a });
});

test('a second join from the same member supersedes the parked one with REBALANCE_IN_PROGRESS', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const first = h.join({ memberId: g.leader });
  const second = h.join({ memberId: g.leader });
  t.is(h.must(first, 'join').errorCode, E.REBALANCE_IN_PROGRESS);
  t.is(h.answer(second, 'join'), undefined);
});

test('a pending member (MEMBER_ID_REQUIRED) holds the join phase until it rejoins', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const pending = h.must(h.join({ clientId: 'p' }), 'join');
  t.is(pending.errorCode, E.MEMBER_ID_REQUIRED);
  const ra = h.join({ memberId: g.leader });
  const rb = h.join({ memberId: g.follower });
  t.is(h.answer(ra, 'join'), undefined, 'waits for the pending member');
  const rp = h.join({ memberId: pending.memberId });
  t.is(h.must(ra, 'join').generationId, g.generationId + 1);
  t.is(h.must(rb, 'join').errorCode, E.NONE);
  t.is(h.must(rp, 'join').errorCode, E.NONE);
});

test('a pending member that never rejoins lapses after its session timeout', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  h.must(h.join({ clientId: 'p', sessionTimeoutMs: 6_000 }), 'join');
  const ra = h.join({ memberId: g.leader });
  const rb = h.join({ memberId: g.follower });
  h.tick(5_999);
  t.is(h.answer(ra, 'join'), undefined);
  h.tick(1);
  t.is(h.must(ra, 'join').generationId, g.generationId + 1);
  t.is(h.must(rb, 'join').errorCode, E.NONE);
});

// ------------------------------------------------------------------ timers

test('a member whose session expires is removed and the group rebalances without it', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  h.tick(5_000);
  t.is(h.heartbeat(g.leader, g.generationId), E.NONE);
  h.tick(5_000); // follower silent for 10 s = its session timeout
  t.is(h.state(), 'PreparingRebalance');
  t.deepEqual(h.c.snapshot('g')!.members.map((m) => m.memberId), [g.leader]);
  t.is(h.heartbeat(g.follower, g.generationId), E.UNKNOWN_MEMBER_ID);
  const r = h.must(h.join({ memberId: g.leader }), 'join');
  t.is(r.generationId, g.generationId + 1);
  t.is(r.members.length, 1);
});

test('members that do not rejoin within the rebalance timeout are dropped when the join phase ends', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const r = h.join({ memberId: g.leader, rebalanceTimeoutMs: 20_000 });
  // The rebalance timeout is the members' largest (the follower's 30 s). The follower keeps
  // heartbeating (REBALANCE_IN_PROGRESS) but never rejoins.
  for (let i = 0; i < 14; i++) {
    h.tick(2_000);
    t.is(h.heartbeat(g.follower, g.generationId), E.REBALANCE_IN_PROGRESS);
  }
  t.is(h.answer(r, 'join'), undefined);
  h.tick(2_000);
  const res = h.must(r, 'join');
  t.is(res.generationId, g.generationId + 1);
  t.deepEqual(res.members.map((m) => m.memberId), [g.leader]);
  t.is(h.heartbeat(g.follower, g.generationId), E.UNKNOWN_MEMBER_ID);
});

test('a member that never sends SyncGroup is removed after the rebalance timeout (pending sync)', (t) => {
  const h = new Harness();
  const ja1 = h.must(h.joinNew({ clientId: 'a', rebalanceTimeoutMs: 15_000 }), 'join');
  const b = h.joinNew({ clientId: 'b', rebalanceTimeoutMs: 15_000 });
  const ja = h.must(h.join({ memberId: ja1.memberId, rebalanceTimeoutMs: 15_000 }), 'join');
  const leader = ja.memberId;
  const follower = h.must(b, 'join').memberId;
  h.must(h.sync(leader, ja.generationId, { [leader]: 'A', [follower]: 'B' }), 'sync');
  for (let i = 0; i < 7; i++) { h.tick(2_000); h.heartbeat(follower, ja.generationId); h.heartbeat(leader, ja.generationId); }
  t.is(h.state(), 'Stable');
  h.tick(1_000);
  t.is(h.state(), 'PreparingRebalance');
  t.deepEqual(h.c.snapshot('g')!.members.map((m) => m.memberId), [leader]);
});

test('nextDeadlineMs names the earliest session expiry', (t) => {
  const h = new Harness({ offsetsRetentionCheckIntervalMs: 1e9 });
  const g = stableGroupOfTwo(h);
  t.is(h.last.nextDeadlineMs, h.nowMs + 10_000);
  h.tick(4_000);
  h.heartbeat(g.leader, g.generationId);
  t.is(h.last.nextDeadlineMs, h.nowMs + 6_000, 'the follower expires first');
});

// ------------------------------------------------------------------ SyncGroup / Heartbeat

test('sync and heartbeat errors', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const syncCode = (id: number): number => h.must(id, 'sync').errorCode;
  t.is(syncCode(h.sync(g.leader, g.generationId + 1)), E.ILLEGAL_GENERATION);
  t.is(syncCode(h.sync('nobody', g.generationId)), E.UNKNOWN_MEMBER_ID);
  t.is(syncCode(h.sync(g.leader, g.generationId, {}, { protocolName: 'roundrobin' })), E.INCONSISTENT_GROUP_PROTOCOL);
  t.is(syncCode(h.sync(g.leader, g.generationId, {}, { groupId: 'nope' })), E.UNKNOWN_MEMBER_ID);
  t.is(syncCode(h.sync(g.leader, g.generationId, {}, { groupId: '' })), E.INVALID_GROUP_ID);
  const stable = h.must(h.sync(g.follower, g.generationId), 'sync');
  t.is(stable.assignment.toString(), 'B', 'a Stable group answers SyncGroup with the current assignment');
  t.is(h.heartbeat(g.leader, g.generationId - 1), E.ILLEGAL_GENERATION);
  t.is(h.heartbeat('nobody', g.generationId), E.UNKNOWN_MEMBER_ID);
  t.is(h.heartbeat(g.leader, g.generationId, 'nope'), E.UNKNOWN_MEMBER_ID);
  h.join({ memberId: g.leader });
  t.is(syncCode(h.sync(g.follower, g.generationId)), E.REBALANCE_IN_PROGRESS);
});

test('a rebalance during CompletingRebalance answers parked syncs with REBALANCE_IN_PROGRESS', (t) => {
  const h = new Harness();
  const g = twoJoined(h);
  const s = h.sync(g.follower, g.generationId);
  t.is(h.answer(s, 'sync'), undefined);
  const leave = h.must(h.send('leave', { groupId: 'g', memberId: '', members: [{ memberId: g.leader, groupInstanceId: null, reason: null }] }), 'leave');
  t.is(leave.members[0]!.errorCode, E.NONE);
  t.is(h.must(s, 'sync').errorCode, E.REBALANCE_IN_PROGRESS);
});

// ------------------------------------------------------------------ static membership

test('a static member rejoining with a new id replaces the old one without a rebalance; the old id is fenced', (t) => {
  const h = new Harness();
  const a = h.must(h.join({ instanceId: 'i-a', clientId: 'a' }), 'join');
  t.is(a.memberId, 'i-a-u1', 'static member ids start with the instance id');
  // a's first join completed alone (generation 1); b's join rebalances: a must rejoin.
  const bReq = h.joinNew({ clientId: 'b' });
  const a2 = h.must(h.join({ instanceId: 'i-a', memberId: a.memberId }), 'join');
  const b = h.must(bReq, 'join');
  t.is(b.errorCode, E.NONE);
  const gen = a2.generationId;
  h.sync(b.memberId, gen);
  h.must(h.sync(a2.leader, gen, { [a.memberId]: 'A', [b.memberId]: 'B' }), 'sync');
  t.is(h.state(), 'Stable');
  const before = h.records.length;
  const restarted = h.must(h.join({ instanceId: 'i-a' }), 'join');
  t.is(restarted.errorCode, E.NONE);
  t.not(restarted.memberId, a.memberId);
  t.is(restarted.generationId, gen, 'no new generation');
  t.is(h.state(), 'Stable');
  t.is(h.records.length, before + 1, 'the replacement is persisted');
  const isLeader = a2.leader === a.memberId;
  t.is(restarted.skipAssignment, isLeader);
  t.is(restarted.leader, a2.leader, 'leader id from before the replacement');
  t.is(h.heartbeat(a.memberId, gen, 'g', 'i-a'), E.FENCED_INSTANCE_ID);
  t.is(h.must(h.sync(restarted.memberId, gen, {}, { instanceId: 'i-a' }), 'sync').assignment.toString(), 'A', 'keeps its assignment');
  t.is(h.heartbeat(restarted.memberId, gen, 'g', 'i-a'), E.NONE);
  const snap = h.c.snapshot('g')!;
  t.is(snap.leaderId, isLeader ? restarted.memberId : b.memberId);
});

test('a static member rejoining with a protocol the group cannot keep triggers a rebalance', (t) => {
  const h = new Harness();
  const a = h.must(h.join({ instanceId: 'i-a' }), 'join');
  h.must(h.sync(a.memberId, 1, { [a.memberId]: 'A' }), 'sync');
  const r = h.send('join', {
    groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: 'i-a',
    protocolType: 'consumer', protocols: [{ name: 'sticky', metadata: encodeSubscription(['t']) }, { name: 'range', metadata: encodeSubscription(['t']) }], reason: null,
  });
  const res = h.must(r, 'join');
  t.is(res.generationId, 2, 'rebalanced, and completed at once: the only member rejoined');
  t.is(res.protocolName, 'sticky');
});

test('a static member that has not rejoined keeps its place when the join phase ends; a dynamic one does not', (t) => {
  const h = new Harness();
  const a = h.must(h.join({ instanceId: 'i-a', clientId: 'a' }), 'join');
  const b = h.joinNew({ clientId: 'b' });
  // b's arrival started a rebalance; a (static, silent) stays a member until its session ends.
  t.is(h.answer(b, 'join'), undefined);
  h.tick(9_999);
  t.is(h.answer(b, 'join'), undefined);
  h.tick(1); // a's session (10 s) expired before the rebalance timeout (30 s)
  const jb = h.must(b, 'join');
  t.is(jb.errorCode, E.NONE);
  t.deepEqual(jb.members.map((m) => m.memberId), [jb.memberId]);
  t.is(h.heartbeat(a.memberId, 1, 'g', 'i-a'), E.UNKNOWN_MEMBER_ID);
});

test('LeaveGroup v3+ takes a batch: by instance id, by member id, unknown and fenced members', (t) => {
  const h = new Harness();
  h.must(h.join({ instanceId: 'i-a' }), 'join');
  const b = h.joinNew({ clientId: 'b' });
  const bId = h.lastMemberId;
  const res = h.must(h.send('leave', {
    groupId: 'g', memberId: '', members: [
      { memberId: '', groupInstanceId: 'i-a', reason: 'bye' },
      { memberId: bId, groupInstanceId: null, reason: null },
      { memberId: 'x', groupInstanceId: null, reason: null },
      { memberId: 'y', groupInstanceId: 'i-zzz', reason: null },
    ],
  }), 'leave');
  t.is(res.errorCode, E.NONE);
  t.deepEqual(res.members.map((m) => m.errorCode), [E.NONE, E.NONE, E.UNKNOWN_MEMBER_ID, E.UNKNOWN_MEMBER_ID]);
  t.is(h.state(), 'Empty');
  t.is(h.must(b, 'join').generationId, 2, 'a left first: b completed generation 2 alone');
  t.is(h.c.snapshot('g')!.generationId, 3, 'then b left: the empty rebalance bumps the generation');
});

test('LeaveGroup of a static member under a stale member id is fenced', (t) => {
  const h = new Harness();
  const a = h.must(h.join({ instanceId: 'i-a' }), 'join');
  const res = h.must(h.send('leave', { groupId: 'g', memberId: '', members: [{ memberId: 'old', groupInstanceId: 'i-a', reason: null }] }), 'leave');
  t.is(res.members[0]!.errorCode, E.FENCED_INSTANCE_ID);
  t.is(h.c.snapshot('g')!.members[0]!.memberId, a.memberId);
});

test('LeaveGroup v0-2 reports the single member error at the top level', (t) => {
  const h = new Harness();
  stableGroupOfTwo(h);
  const res = h.must(h.send('leave', { groupId: 'g', memberId: 'nobody', members: [] }, 1), 'leave');
  t.deepEqual(res, { errorCode: E.UNKNOWN_MEMBER_ID, members: [] });
  const none = h.must(h.send('leave', { groupId: 'nope', memberId: 'x', members: [] }, 2), 'leave');
  t.is(none.errorCode, E.UNKNOWN_MEMBER_ID);
});

test('a parked join of a leaving member is answered UNKNOWN_MEMBER_ID', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const r = h.join({ memberId: g.leader });
  h.must(h.send('leave', { groupId: 'g', memberId: '', members: [{ memberId: g.leader, groupInstanceId: null, reason: null }] }), 'leave');
  // removing the leader during PreparingRebalance; the follower has not rejoined: still preparing
  t.is(h.must(r, 'join').errorCode, E.UNKNOWN_MEMBER_ID);
});

// ------------------------------------------------------------------ offsets

test('members commit in their generation; fetch returns what was committed and -1 for the rest', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  t.deepEqual(h.commit(g.leader, g.generationId, { 't:0': 10, 't:1': 20 }), [E.NONE, E.NONE]);
  const f = h.fetch('g', [{ name: 't', partitionIndexes: [0, 1, 2] }]);
  t.deepEqual(f.topics[0]!.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]), [[10, 3, 'm'], [20, 3, 'm'], [-1, -1, '']]);
  const all = h.fetch('g', null);
  t.deepEqual(all.topics.map((x) => x.name), ['t']);
  t.is(all.topics[0]!.partitions.length, 2);
  const unknown = h.fetch('nope', [{ name: 't', partitionIndexes: [0] }]);
  t.is(unknown.topics[0]!.partitions[0]!.committedOffset, -1);
  t.is(unknown.errorCode, E.NONE);
});

test('offset commit errors follow the generation and member checks', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  t.deepEqual(h.commit(g.leader, g.generationId + 1, { 't:0': 1 }), [E.ILLEGAL_GENERATION]);
  t.deepEqual(h.commit('nobody', g.generationId, { 't:0': 1 }), [E.UNKNOWN_MEMBER_ID]);
  t.deepEqual(h.commit('', -1, { 't:0': 1 }), [E.UNKNOWN_MEMBER_ID], 'simple commits need an empty group');
  t.deepEqual(h.commit('x', 0, { 't:0': 1 }, 'nope', 8), [E.ILLEGAL_GENERATION]);
  t.deepEqual(h.commit('x', 0, { 't:0': 1 }, 'nope', 9), [E.GROUP_ID_NOT_FOUND]);
  h.join({ memberId: g.leader });
  h.join({ memberId: g.follower });
  t.is(h.state(), 'CompletingRebalance');
  t.deepEqual(h.commit(g.leader, g.generationId + 1, { 't:0': 1 }), [E.REBALANCE_IN_PROGRESS]);
  t.deepEqual(h.commit(g.leader, g.generationId, { 't:0': 1 }), [E.REBALANCE_IN_PROGRESS]);
});

test('a commit while PreparingRebalance is accepted for the current generation', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  h.join({ memberId: g.leader });
  t.is(h.state(), 'PreparingRebalance');
  t.deepEqual(h.commit(g.follower, g.generationId, { 't:0': 5 }), [E.NONE]);
});

test('standalone commits (generation -1) create an offsets-only group', (t) => {
  const h = new Harness();
  t.deepEqual(h.commit('', -1, { 'x:0': 7 }, 'simple'), [E.NONE]);
  t.is(h.fetch('simple', [{ name: 'x', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset, 7);
  const list = h.must(h.send('listGroups', { statesFilter: [], typesFilter: [] }), 'listGroups');
  t.deepEqual(list.groups, [{ groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' }]);
});

test('per-partition commit errors: metadata too large, unknown partition', (t) => {
  const h = new Harness({ offsetMetadataMaxBytes: 4 }, (topic) => topic !== 'missing');
  const r = h.must(h.send('offsetCommit', {
    groupId: 's', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [
      { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '12345' }, { partitionIndex: 1, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
      { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
    ],
  }), 'offsetCommit');
  t.deepEqual(r.topics.map((x) => x.partitions.map((p) => p.errorCode)), [[E.OFFSET_METADATA_TOO_LARGE, E.NONE], [E.UNKNOWN_TOPIC_OR_PARTITION]]);
  t.is(h.fetch('s', [{ name: 't', partitionIndexes: [1] }]).topics[0]!.partitions[0]!.metadata, '', 'null metadata is stored as ""');
});

test('OffsetDelete refuses subscribed topics of a live consumer group and deletes the rest', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  h.commit(g.leader, g.generationId, { 't:0': 1, 'old:0': 2 });
  const before = h.records.length;
  const r = h.must(h.send('offsetDelete', { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }] }), 'offsetDelete');
  t.is(r.errorCode, E.NONE);
  t.deepEqual(r.topics.map((x) => x.partitions[0]!.errorCode), [E.GROUP_SUBSCRIBED_TO_TOPIC, E.NONE]);
  t.is(h.records.length, before + 1);
  t.is(h.records.at(-1)!.value, null);
  t.is(h.fetch('g', [{ name: 'old', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset, -1);
  t.is(h.must(h.send('offsetDelete', { groupId: 'nope', topics: [] }), 'offsetDelete').errorCode, E.GROUP_ID_NOT_FOUND);
});

test('offsets of an empty group expire after offsets.retention, then the group is deleted', (t) => {
  const h = new Harness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const g = stableGroupOfTwo(h);
  h.commit(g.leader, g.generationId, { 't:0': 1 });
  h.send('leave', { groupId: 'g', memberId: '', members: [{ memberId: g.leader, groupInstanceId: null, reason: null }, { memberId: g.follower, groupInstanceId: null, reason: null }] });
  t.is(h.state(), 'Empty');
  const emptySince = h.nowMs;
  while (h.nowMs + 10_000 < emptySince + 60_000) h.tick(10_000);
  t.is(h.state(), 'Empty', 'still there before the retention');
  const before = h.records.length;
  h.tick(10_000);
  t.is(h.state(), null);
  const keys = h.records.slice(before).map((r) => [decodeKey(r.key).type, r.value]);
  t.deepEqual(keys, [['offsetCommit', null], ['groupMetadata', null]]);
});

test('offsets of topics a Stable consumer group no longer subscribes to expire by commit time', (t) => {
  const h = new Harness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const g = stableGroupOfTwo(h);
  h.commit(g.leader, g.generationId, { 't:0': 1, 'gone:0': 1 });
  for (let i = 0; i < 8; i++) { h.tick(9_000); h.heartbeat(g.leader, g.generationId); h.heartbeat(g.follower, g.generationId); }
  const f = h.fetch('g', [{ name: 't', partitionIndexes: [0] }, { name: 'gone', partitionIndexes: [0] }]);
  t.deepEqual(f.topics.map((x) => x.partitions[0]!.committedOffset), [1, -1]);
});

// ------------------------------------------------------------------ admin

test('ListGroups filters by state (case-insensitive) and type', (t) => {
  const h = new Harness();
  stableGroupOfTwo(h);
  h.commit('', -1, { 'x:0': 1 }, 'simple');
  const list = (statesFilter: string[], typesFilter: string[] = []): string[] =>
    h.must(h.send('listGroups', { statesFilter, typesFilter }), 'listGroups').groups.map((g) => g.groupId).sort();
  t.deepEqual(list([]), ['g', 'simple']);
  t.deepEqual(list(['stable']), ['g']);
  t.deepEqual(list(['Empty']), ['simple']);
  t.deepEqual(list([], ['consumer']), []);
  t.deepEqual(list([], ['Classic']), ['g', 'simple']);
});

test('DescribeGroups shows metadata and assignments only when Stable; unknown groups are Dead', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  const d = h.must(h.send('describeGroups', { groups: ['g', 'nope'], includeAuthorizedOperations: false }), 'describeGroups');
  const [stable, dead] = d.groups as [typeof d.groups[0], typeof d.groups[0]];
  t.is(stable.groupState, 'Stable');
  t.is(stable.protocolType, 'consumer');
  t.is(stable.protocolData, 'range');
  const leader = stable.members.find((m) => m.memberId === g.leader)!;
  t.is(leader.memberAssignment.toString(), 'A');
  t.deepEqual(leader.memberMetadata, encodeSubscription(['t']));
  t.is(leader.clientHost, '/10.0.0.1');
  t.deepEqual({ ...dead, members: dead.members.length }, {
    errorCode: E.NONE, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: 0, authorizedOperations: -2147483648,
  });
  h.join({ memberId: g.leader });
  const p = h.must(h.send('describeGroups', { groups: ['g'], includeAuthorizedOperations: false }), 'describeGroups').groups[0]!;
  t.is(p.groupState, 'PreparingRebalance');
  t.is(p.protocolData, '');
  t.is(p.members[0]!.memberAssignment.length, 0);
});

test('DeleteGroups deletes only empty groups and writes tombstones', (t) => {
  const h = new Harness();
  stableGroupOfTwo(h);
  h.commit('', -1, { 'x:0': 1, 'x:1': 2 }, 'simple');
  const before = h.records.length;
  const r = h.must(h.send('deleteGroups', { groupsNames: ['g', 'simple', 'nope'] }), 'deleteGroups');
  t.deepEqual(r.results.map((x) => x.errorCode), [E.NON_EMPTY_GROUP, E.NONE, E.GROUP_ID_NOT_FOUND]);
  t.deepEqual(h.records.slice(before).map((x) => [decodeKey(x.key).type, x.value]), [['offsetCommit', null], ['offsetCommit', null], ['groupMetadata', null]]);
  t.deepEqual(h.c.groupIds(), ['g']);
});

// ------------------------------------------------------------------ replay

test('replaying the emitted records rebuilds groups, members, assignments and offsets', (t) => {
  const h = new Harness();
  const g = stableGroupOfTwo(h);
  h.commit(g.leader, g.generationId, { 't:0': 10, 't:1': 11 });
  h.commit('', -1, { 'x:0': 1 }, 'simple');
  h.commit('', -1, { 'x:0': 2 }, 'simple');
  const fresh = new GroupCoordinator({ randomUuid: () => 'r' });
  for (const r of h.records) fresh.replay(r.key, r.value);
  t.deepEqual(fresh.snapshot('g'), h.c.snapshot('g'));
  t.deepEqual(fresh.snapshot('simple'), h.c.snapshot('simple'));
  // The loaded group keeps working: sessions start at the first nowMs after loading.
  const later = h.nowMs + 60_000;
  const hb = fresh.handle({ kind: 'heartbeat', requestId: 1, apiVersion: 4, req: { groupId: 'g', generationId: g.generationId, memberId: g.follower, groupInstanceId: null } }, later);
  t.deepEqual(hb.responses, [{ requestId: 1, kind: 'heartbeat', response: { errorCode: E.NONE } }]);
  t.is(hb.nextDeadlineMs, later + 10_000);
});

test('a group tombstone after offsets keeps nothing; unknown key versions are skipped', (t) => {
  const h = new Harness();
  stableGroupOfTwo(h);
  h.send('leave', { groupId: 'g', memberId: '', members: h.c.snapshot('g')!.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, reason: null })) });
  h.send('deleteGroups', { groupsNames: ['g'] });
  const fresh = new GroupCoordinator({ randomUuid: () => 'r' });
  const k = Buffer.from([0, 9, 0, 0]);
  fresh.replay(k, Buffer.from([1]));
  for (const r of h.records) fresh.replay(r.key, r.value);
  t.deepEqual(fresh.groupIds(), []);
});

test('join answers keep their own request ids when they leave a later call', (t) => {
  const h = new Harness({ groupInitialRebalanceDelayMs: 100 });
  const a = h.joinNew();
  const out = h.tick(100);
  t.deepEqual(out.responses.map((r) => r.requestId), [a]);
  const ja = out.responses[0]!.response as JoinGroupResponse;
  t.is(ja.errorCode, E.NONE);
  const s = h.sync(ja.memberId, ja.generationId, { [ja.memberId]: 'x' });
  t.is((h.must(s, 'sync') as SyncGroupResponse).assignment.toString(), 'x');
});
