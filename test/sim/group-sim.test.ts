/**
 * Seeded simulation of the group coordinator: N simulated consumers join, sync, heartbeat, commit,
 * pause, crash, restart (static members come back under their instance id) and leave, while the
 * coordinator occasionally fails over (rebuilt from its own records; parked requests are answered
 * NOT_COORDINATOR by the "driver"). After every event the invariants below are checked.
 *
 * Invariants
 * 1. A Stable group's generation never decreases (a failover may forget an unpersisted,
 *    never-Stable generation; a deleted group starts over).
 * 2. Every member of a Stable group holds an assignment produced by one SyncGroup of the leader of
 *    the current generation, and no partition is assigned twice.
 * 3. A consumer that believes it is Stable in the group's current (Stable) generation holds exactly
 *    the assignment the coordinator has for it.
 * 4. A commit is accepted only from a member of the current generation, and accepted commits to a
 *    partition never go backwards within a generation; the stored offsets equal the last accepted
 *    commit unless the coordinator wrote a tombstone for them (expiry).
 * 5. Replaying every record emitted so far into a fresh coordinator yields the same offsets, and the
 *    same group (members, assignments, generation, leader, protocol) whenever the group is Stable or
 *    Empty; a compacted log replays to the same state.
 *
 * A failure prints the seed; `SIM_SEED=n` runs only that seed, `SIM_SEEDS=n` runs n seeds.
 */
import test from 'ava';
import {
  GroupCoordinator, GroupErrors as E, decodeKey, encodeSubscription,
  type CoordinatorRecord, type GroupCoordinatorConfig, type GroupInput, type GroupOutput, type GroupResponse,
  type GroupSnapshot, type JoinGroupResponse, type SyncGroupResponse,
} from '../../broker/coordinator/index.js';

const GROUP = 'g';
const TOPIC = 't';
const PARTITIONS = 6;
const STEPS = 250;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Phase = 'down' | 'needJoin' | 'joining' | 'needSync' | 'syncing' | 'stable';

interface Consumer {
  name: string;
  instanceId: string | null;
  incarnation: number;
  phase: Phase;
  memberId: string;
  generationId: number;
  partitions: number[];
  pendingSync: Array<{ memberId: string; assignment: Buffer }>;
  pausedUntilMs: number;
  nextHeartbeatMs: number;
  commitCounter: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

interface Stamp { generationId: number; syncId: number; partitions: number[] }

class Violation extends Error {}
function check(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Violation(what);
}

class Sim {
  readonly rand: () => number;
  nowMs = 1_000;
  coordinator: GroupCoordinator;
  shadow: GroupCoordinator;
  readonly log: CoordinatorRecord[] = [];
  readonly consumers: Consumer[] = [];
  readonly config: Partial<GroupCoordinatorConfig>;
  private nextRequestId = 1;
  private nextSyncId = 1;
  private uuidCounter = 0;
  private readonly owners = new Map<number, { c: Consumer; incarnation: number; kind: string }>();
  /** syncId -> generation and leader that sent it. */
  private readonly leaderSyncs = new Map<number, { generationId: number; memberId: string }>();
  private stableGenerationHighWater = 0;
  /** partition -> last accepted commit {offset, generation}; deleted on tombstones. */
  private readonly expectedOffsets = new Map<number, { offset: number; generationId: number }>();
  nextDeadlineMs: number | null = null;
  events = 0;
  /** What happened, for the coverage log: error names, record kinds, failovers. */
  readonly seen = new Map<string, number>();
  count(what: string): void { this.seen.set(what, (this.seen.get(what) ?? 0) + 1); }
  /** Set while a commit is in flight: its expectations are recorded after the answer. */
  private committing = false;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
    this.config = {
      groupInitialRebalanceDelayMs: this.pick([0, 0, 3_000]),
      groupMaxSize: this.pick([3, 100, 100]),
      offsetsRetentionMs: 60_000,
      offsetsRetentionCheckIntervalMs: 15_000,
    };
    this.coordinator = this.newCoordinator();
    this.shadow = this.newCoordinator();
    const n = 2 + Math.floor(this.rand() * 4);
    for (let i = 0; i < n; i++) {
      this.consumers.push({
        name: `c${i}`, instanceId: this.rand() < 0.4 ? `i${i}` : null, incarnation: 0, phase: 'needJoin', memberId: '',
        generationId: -1, partitions: [], pendingSync: [], pausedUntilMs: 0, nextHeartbeatMs: 0, commitCounter: 0,
        sessionTimeoutMs: 6_000 + Math.floor(this.rand() * 6_000), rebalanceTimeoutMs: 8_000 + Math.floor(this.rand() * 12_000),
      });
    }
  }

  pick<T>(xs: T[]): T { return xs[Math.floor(this.rand() * xs.length)]!; }

  newCoordinator(): GroupCoordinator {
    return new GroupCoordinator({ randomUuid: () => `u${++this.uuidCounter}` }, this.config);
  }

  // ---------------------------------------------------------------- driver

  handle(input: GroupInput, owner?: Consumer): GroupOutput {
    if (owner !== undefined && input.kind !== 'tick') this.owners.set(input.requestId, { c: owner, incarnation: owner.incarnation, kind: input.kind });
    const out = this.coordinator.handle(input, this.nowMs);
    this.events++;
    for (const r of out.records) {
      this.log.push(r);
      this.shadow.replay(r.key, r.value);
      this.noteRecord(r);
    }
    this.nextDeadlineMs = out.nextDeadlineMs;
    for (const r of out.responses) this.deliver(r);
    this.checkInvariants();
    return out;
  }

  private noteRecord(r: CoordinatorRecord): void {
    const key = decodeKey(r.key);
    this.count(`record:${key.type}${r.value === null ? ':tombstone' : ''}`);
    if (r.value !== null) return;
    if (key.type === 'offsetCommit') this.expectedOffsets.delete(key.partition);
    if (key.type === 'groupMetadata') this.stableGenerationHighWater = 0;
  }

  send(c: Consumer, build: (requestId: number) => GroupInput): GroupOutput {
    return this.handle(build(this.nextRequestId++), c);
  }

  /** Coordinator failover: a new instance loads the log; parked requests get NOT_COORDINATOR. */
  failover(): void {
    this.count('failover');
    const parked = [...this.owners];
    this.owners.clear();
    this.coordinator = this.newCoordinator();
    for (const r of this.log) this.coordinator.replay(r.key, r.value);
    this.stableGenerationHighWater = Math.min(this.stableGenerationHighWater, this.coordinator.snapshot(GROUP)?.generationId ?? 0);
    for (const [, o] of parked) {
      if (o.incarnation !== o.c.incarnation || o.c.phase === 'down') continue;
      // NOT_COORDINATOR: the client rediscovers the coordinator and rejoins with its member id.
      o.c.phase = 'needJoin';
    }
    this.handle({ kind: 'tick' });
  }

  // ---------------------------------------------------------------- client behaviour

  private deliver(r: GroupResponse): void {
    const code = 'errorCode' in r.response ? r.response.errorCode : null;
    if (code !== null && code !== E.NONE) this.count(`${r.kind}:${Object.entries(E).find(([, v]) => v === code)?.[0]}`);
    const owner = this.owners.get(r.requestId);
    this.owners.delete(r.requestId);
    if (owner === undefined || owner.incarnation !== owner.c.incarnation || owner.c.phase === 'down') return;
    const c = owner.c;
    if (r.kind === 'join') this.onJoinResponse(c, r.response);
    else if (r.kind === 'sync') this.onSyncResponse(c, r.response);
    else if (r.kind === 'heartbeat') this.onError(c, r.response.errorCode);
  }

  private onError(c: Consumer, errorCode: number): void {
    switch (errorCode) {
      case E.NONE: return;
      case E.UNKNOWN_MEMBER_ID: c.memberId = ''; c.phase = 'needJoin'; return;
      case E.FENCED_INSTANCE_ID: case E.GROUP_MAX_SIZE_REACHED: this.crash(c); return;
      default: c.phase = 'needJoin';
    }
  }

  private onJoinResponse(c: Consumer, res: JoinGroupResponse): void {
    check(c.phase === 'joining', `${c.name} got a join answer while ${c.phase}`);
    if (res.errorCode === E.MEMBER_ID_REQUIRED) {
      c.memberId = res.memberId;
      c.phase = 'needJoin';
      return;
    }
    if (res.errorCode !== E.NONE) return this.onError(c, res.errorCode);
    c.memberId = res.memberId;
    c.generationId = res.generationId;
    c.pendingSync = [];
    if (res.leader === res.memberId && !res.skipAssignment) {
      const syncId = this.nextSyncId++;
      this.leaderSyncs.set(syncId, { generationId: res.generationId, memberId: res.memberId });
      const ids = res.members.map((m) => m.memberId).sort();
      c.pendingSync = ids.map((memberId, i) => {
        const partitions: number[] = [];
        for (let p = i; p < PARTITIONS; p += ids.length) partitions.push(p);
        const stamp: Stamp = { generationId: res.generationId, syncId, partitions };
        return { memberId, assignment: Buffer.from(JSON.stringify(stamp)) };
      });
    }
    c.phase = 'needSync';
  }

  private onSyncResponse(c: Consumer, res: SyncGroupResponse): void {
    check(c.phase === 'syncing', `${c.name} got a sync answer while ${c.phase}`);
    if (res.errorCode !== E.NONE) return this.onError(c, res.errorCode);
    const stamp = JSON.parse(res.assignment.toString()) as Stamp;
    c.partitions = stamp.partitions;
    c.phase = 'stable';
    c.nextHeartbeatMs = this.nowMs + 3_000;
  }

  crash(c: Consumer): void {
    c.phase = 'down';
    c.incarnation++;
    c.partitions = [];
  }

  /** One consumer's turn: send whatever its state calls for. */
  act(c: Consumer): void {
    if (c.phase === 'down') {
      if (this.rand() < 0.03) { c.phase = 'needJoin'; c.memberId = ''; c.generationId = -1; }
      return;
    }
    const roll = this.rand();
    if (roll < 0.004) return this.crash(c);
    if (roll < 0.008) return this.leave(c);
    if (roll < 0.02) { c.pausedUntilMs = this.nowMs + Math.floor(this.rand() * 15_000); return; }
    if (this.nowMs < c.pausedUntilMs) return;
    if (c.phase === 'needJoin') return this.join(c);
    if (c.phase === 'needSync') return this.sync(c);
    if (c.phase !== 'stable') return;
    if (this.nowMs >= c.nextHeartbeatMs) {
      c.nextHeartbeatMs = this.nowMs + 3_000;
      this.send(c, (requestId) => ({ kind: 'heartbeat', requestId, apiVersion: 4, req: { groupId: GROUP, generationId: c.generationId, memberId: c.memberId, groupInstanceId: c.instanceId } }));
    } else if (this.rand() < 0.3 && c.partitions.length > 0) {
      this.commit(c);
    }
  }

  private join(c: Consumer): void {
    c.phase = 'joining';
    this.send(c, (requestId) => ({
      kind: 'join', requestId, apiVersion: this.rand() < 0.8 ? 9 : 3, clientId: c.name, clientHost: '/sim',
      req: {
        groupId: GROUP, sessionTimeoutMs: c.sessionTimeoutMs, rebalanceTimeoutMs: c.rebalanceTimeoutMs, memberId: c.memberId,
        groupInstanceId: c.instanceId, protocolType: 'consumer', protocols: [{ name: 'range', metadata: encodeSubscription([TOPIC]) }], reason: null,
      },
    }));
  }

  private sync(c: Consumer): void {
    c.phase = 'syncing';
    const assignments = c.pendingSync;
    this.send(c, (requestId) => ({
      kind: 'sync', requestId, apiVersion: 5,
      req: { groupId: GROUP, generationId: c.generationId, memberId: c.memberId, groupInstanceId: c.instanceId, protocolType: 'consumer', protocolName: 'range', assignments },
    }));
  }

  private leave(c: Consumer): void {
    const { memberId, instanceId } = c;
    this.crash(c);
    if (memberId === '') return;
    this.send(c, (requestId) => ({
      kind: 'leave', requestId, apiVersion: 5, req: { groupId: GROUP, memberId: '', members: [{ memberId, groupInstanceId: instanceId, reason: null }] },
    }));
  }

  private commit(c: Consumer): void {
    c.commitCounter += 1 + Math.floor(this.rand() * 5);
    const offset = c.commitCounter;
    const partitions = c.partitions;
    // Now and then behave like a zombie from the previous generation: must be refused.
    const generationId = this.rand() < 0.1 ? c.generationId - 1 : c.generationId;
    this.committing = true;
    const out = this.send(c, (requestId) => ({
      kind: 'offsetCommit', requestId, apiVersion: 8,
      req: {
        groupId: GROUP, generationIdOrMemberEpoch: generationId, memberId: c.memberId, groupInstanceId: c.instanceId,
        topics: [{ name: TOPIC, partitions: partitions.map((p) => ({ partitionIndex: p, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null })) }],
      },
    }));
    this.committing = false;
    const res = out.responses.find((r) => r.kind === 'offsetCommit');
    check(res !== undefined && res.kind === 'offsetCommit', 'offset commit not answered at once');
    const codes = res.response.topics[0]!.partitions.map((p) => p.errorCode);
    if (codes.every((x) => x === E.NONE)) {
      const snap = this.coordinator.snapshot(GROUP);
      check(snap !== null && snap.generationId === generationId && snap.members.some((m) => m.memberId === c.memberId),
        `commit accepted from ${c.memberId} gen ${generationId} outside the current generation`);
      for (const p of partitions) {
        const prev = this.expectedOffsets.get(p);
        check(prev === undefined || prev.generationId !== generationId || prev.offset <= offset, `offset of ${p} went backwards within generation ${generationId}`);
        this.expectedOffsets.set(p, { offset, generationId });
      }
    } else {
      this.onError(c, codes[0]!);
    }
    this.checkInvariants();
  }

  // ---------------------------------------------------------------- invariants

  checkInvariants(): void {
    const snap = this.coordinator.snapshot(GROUP);
    if (snap !== null && snap.state === 'Stable') this.checkStable(snap);
    if (!this.committing) this.checkOffsets(snap);
    this.checkReplay(snap);
  }

  private checkStable(snap: GroupSnapshot): void {
    check(snap.generationId >= this.stableGenerationHighWater, `stable generation went back: ${snap.generationId} < ${this.stableGenerationHighWater}`);
    this.stableGenerationHighWater = snap.generationId;
    const owned = new Set<number>();
    let syncId: number | null = null;
    for (const m of snap.members) {
      check(m.assignment.length > 0, `member ${m.memberId} of Stable generation ${snap.generationId} has no assignment`);
      const stamp = JSON.parse(m.assignment.toString()) as Stamp;
      check(stamp.generationId === snap.generationId, `assignment of ${m.memberId} is from generation ${stamp.generationId}, group is at ${snap.generationId}`);
      syncId ??= stamp.syncId;
      check(stamp.syncId === syncId, 'members hold assignments from different SyncGroups');
      const sync = this.leaderSyncs.get(stamp.syncId);
      check(sync !== undefined && sync.generationId === snap.generationId, 'assignment not from the leader of this generation');
      for (const p of stamp.partitions) {
        check(!owned.has(p), `partition ${p} assigned twice in generation ${snap.generationId}`);
        owned.add(p);
      }
    }
    for (const c of this.consumers) {
      if (c.phase !== 'stable' || c.generationId !== snap.generationId) continue;
      const m = snap.members.find((x) => x.memberId === c.memberId);
      if (m === undefined) continue;
      const stamp = JSON.parse(m.assignment.toString()) as Stamp;
      check(JSON.stringify(stamp.partitions) === JSON.stringify(c.partitions), `${c.name} believes it owns ${c.partitions}, coordinator says ${stamp.partitions}`);
    }
  }

  private checkOffsets(snap: GroupSnapshot | null): void {
    const stored = new Map((snap?.offsets ?? []).map((o) => [o.partition, o.offset]));
    check(stored.size === this.expectedOffsets.size, `stored offsets ${[...stored]} vs expected ${[...this.expectedOffsets].map(([p, o]) => [p, o.offset])}`);
    for (const [p, e] of this.expectedOffsets) check(stored.get(p) === e.offset, `offset of partition ${p}: ${stored.get(p)} != ${e.offset}`);
  }

  private checkReplay(live: GroupSnapshot | null): void {
    const replayed = this.shadow.snapshot(GROUP);
    check(JSON.stringify(replayed?.offsets ?? []) === JSON.stringify(live?.offsets ?? []), 'replayed offsets differ');
    if (live === null) {
      check(replayed === null, 'replay has a group the coordinator does not');
    } else if (live.state === 'Stable' || (live.state === 'Empty' && live.generationId > 0)) {
      check(replayed !== null && sameGroup(replayed, live), `replayed group differs:\n${JSON.stringify(replayed)}\n${JSON.stringify(live)}`);
    } else {
      check(replayed === null || replayed.generationId <= live.generationId, 'replayed generation ahead of the live one');
    }
  }

  /** Full and compacted replays of the whole log equal the incremental shadow. */
  checkFinalReplay(): void {
    const full = this.newCoordinator();
    for (const r of this.log) full.replay(r.key, r.value);
    const last = new Map<string, CoordinatorRecord>();
    for (const r of this.log) { const k = r.key.toString('hex'); last.delete(k); last.set(k, r); }
    const compacted = this.newCoordinator();
    for (const r of last.values()) if (r.value !== null) compacted.replay(r.key, r.value);
    const want = JSON.stringify(this.shadow.snapshot(GROUP));
    check(JSON.stringify(full.snapshot(GROUP)) === want, 'full replay differs from incremental replay');
    check(JSON.stringify(compacted.snapshot(GROUP)) === want, 'compacted replay differs');
  }

  /** Every consumer leaves or crashes; time runs past offsets retention so the group expires. */
  blackout(durationMs: number): void {
    for (const c of this.consumers) {
      if (c.phase === 'down') continue;
      if (this.rand() < 0.5) this.leave(c);
      else this.crash(c);
    }
    const endMs = this.nowMs + durationMs;
    while (this.nowMs < endMs) {
      this.nowMs += 5_000;
      this.handle({ kind: 'tick' });
    }
  }

  step(): void {
    this.nowMs += Math.floor(this.rand() * 1_000);
    if (this.nextDeadlineMs !== null && this.nowMs >= this.nextDeadlineMs) this.handle({ kind: 'tick' });
    const order = [...this.consumers].sort(() => this.rand() - 0.5);
    for (const c of order) this.act(c);
    if (this.rand() < 0.005) this.failover();
  }
}

function sameGroup(a: GroupSnapshot, b: GroupSnapshot): boolean {
  const view = (g: GroupSnapshot): string => JSON.stringify({ ...g, offsets: undefined });
  return view(a) === view(b);
}

const coverage = new Map<string, number>();

function runSeed(seed: number): { events: number; generations: number } {
  const sim = new Sim(seed);
  let maxGeneration = 0;
  const blackoutAt = sim.rand() < 0.3 ? Math.floor(STEPS / 2) : -1;
  for (let i = 0; i < STEPS; i++) {
    if (i === blackoutAt) sim.blackout(100_000);
    sim.step();
    maxGeneration = Math.max(maxGeneration, sim.coordinator.snapshot(GROUP)?.generationId ?? 0);
  }
  sim.checkFinalReplay();
  for (const [k, v] of sim.seen) coverage.set(k, (coverage.get(k) ?? 0) + v);
  return { events: sim.events, generations: maxGeneration };
}

const only = process.env['SIM_SEED'];
const seedCount = Number(process.env['SIM_SEEDS'] ?? 200);
const seeds = only !== undefined ? [Number(only)] : Array.from({ length: seedCount }, (_, i) => i + 1);

test(`group coordinator simulation over ${seeds.length} seed(s) keeps its invariants`, (t) => {
  let events = 0;
  let generations = 0;
  for (const seed of seeds) {
    try {
      const r = runSeed(seed);
      events += r.events;
      generations += r.generations;
    } catch (e) {
      t.fail(`seed ${seed} failed (replay with SIM_SEED=${seed}): ${(e as Error).stack ?? String(e)}`);
      return;
    }
  }
  t.log(`${seeds.length} seeds, ${events} coordinator events, ${generations} generations in total`);
  t.log([...coverage].sort().map(([k, v]) => `${k}=${v}`).join(' '));
  t.true(events > seeds.length * 50, 'the simulation exercised the coordinator');
  t.true(generations > seeds.length, 'rebalances happened');
});
