/**
 * The classic consumer-group coordinator (JoinGroup/SyncGroup/Heartbeat/LeaveGroup plus offsets
 * and admin calls) for the groups of one `__consumer_offsets` partition, as a pure state machine.
 *
 * Contract
 * - `handle(input, nowMs)` takes one request or a tick and returns `{responses, records,
 *   nextDeadlineMs}`. The driver appends `records` to the partition, in order, and only after they
 *   are durable sends `responses`; it calls `handle({kind:'tick'}, now)` by `nextDeadlineMs`.
 * - JoinGroup and SyncGroup are delayed operations: their answer may leave a later `handle()` call
 *   (another member's request or a tick), tagged with the original `requestId`.
 * - `replay(key, value)` rebuilds state from the partition on load (before the first `handle`).
 *   Committed offsets change only through `replay`, live or on load (commits and deletions emit a
 *   record and apply it through the same path). Group membership is richer in memory than on disk
 *   (joins in progress, parked requests, timers); its record is the durable projection written
 *   where Kafka writes it: when a generation's assignment is set (leader SyncGroup), when a
 *   rebalance ends with no members (Empty), when a static member is replaced in place, and
 *   tombstones on deletion. A loaded group with members is Stable and its sessions start at the
 *   first `nowMs` seen after loading.
 * - Not re-entrant. No clock, no randomness of its own (member ids come from `deps.randomUuid`),
 *   no I/O. Time never runs backwards here: a smaller `nowMs` is treated as the last one seen.
 *
 * Timers are evaluated per group in deadline order ("advance"): before a request touches a group
 * (so a late heartbeat sees an already expired session, as with Kafka's purgatory) and for every
 * group on a tick. Events fire at their own deadline time, so a long gap between ticks replays
 * the same sequence Kafka's timers would have produced.
 *
 * Departures from Kafka (deliberate)
 * - A request that supersedes a still-parked JoinGroup/SyncGroup of the same member answers the
 *   old one with REBALANCE_IN_PROGRESS instead of dropping it, so per-connection ordering never
 *   waits forever.
 * - A record append failure is not modelled: the driver should reload the partition by replay
 *   (answering parked requests with NOT_COORDINATOR) if an append fails.
 * - Protocol ties are broken by member order, not hash-map order; `retentionTimeMs` (OffsetCommit
 *   v2-4) is ignored, offsets expire by the broker's retention only; a static member that rejoins a
 *   Stable group with new metadata but the same selected protocol is replaced without a rebalance
 *   (like Kafka), and the group's subscribed topics are recomputed (Kafka keeps the old ones).
 */
import {
  COORDINATOR_NOT_AVAILABLE, FENCED_INSTANCE_ID, GROUP_ID_NOT_FOUND, GROUP_MAX_SIZE_REACHED,
  GROUP_SUBSCRIBED_TO_TOPIC, ILLEGAL_GENERATION, INCONSISTENT_GROUP_PROTOCOL, INVALID_GROUP_ID,
  INVALID_SESSION_TIMEOUT, MEMBER_ID_REQUIRED, NONE, NON_EMPTY_GROUP, OFFSET_METADATA_TOO_LARGE,
  REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID, UNKNOWN_TOPIC_OR_PARTITION,
} from './error-codes.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import { EMPTY_BYTES, Group, Member, type CommittedOffset, type ParkedRequest } from './group.js';
import {
  decodeGroupMetadataValue, decodeKey, decodeOffsetCommitValue, encodeGroupMetadataKey,
  encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue,
  type GroupMetadataValue, type OffsetCommitValue,
} from './records.js';
import {
  DEFAULT_GROUP_COORDINATOR_CONFIG, type CoordinatorRecord, type DescribedGroup, type GroupCoordinatorConfig,
  type GroupCoordinatorDeps, type GroupInput, type GroupOutput, type GroupResponse, type GroupState,
  type JoinGroupResponse, type JoinGroupResponseMember, type LeaveGroupMemberResponse,
  type OffsetCommitRequestTopic, type OffsetCommitResponseTopic, type OffsetFetchRequestGroup,
  type OffsetFetchResponseGroup, type RequestId, type ResponseByKind, type ResponseKind,
  type SyncGroupResponse,
} from './types.js';

type InputOf<K extends GroupInput['kind']> = Extract<GroupInput, { kind: K }>;

/** Authorized operations "not requested" (Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export interface MemberSnapshot {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Metadata for the group's selected protocol. */
  metadata: Buffer;
  assignment: Buffer;
}
export interface OffsetSnapshot extends CommittedOffset { topic: string; partition: number }
export interface GroupSnapshot {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  currentStateTimestampMs: number | null;
  /** Sorted by member id. */
  members: MemberSnapshot[];
  /** Sorted by topic, then partition. */
  offsets: OffsetSnapshot[];
}

interface DueEvent { atMs: number; fire: (atMs: number) => void }

export function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return {
    errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '',
    skipAssignment: false, memberId, members: [],
  };
}

function syncError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}

export class GroupCoordinator {
  private readonly config: GroupCoordinatorConfig;
  private readonly groups = new Map<string, Group>();
  private responses: GroupResponse[] = [];
  private records: CoordinatorRecord[] = [];
  private inHandle = false;
  private hasUnarmedMembers = false;
  private lastNowMs = Number.NEGATIVE_INFINITY;
  private nextOffsetsExpirationMs: number | null = null;

  constructor(private readonly deps: GroupCoordinatorDeps, config: Partial<GroupCoordinatorConfig> = {}) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...config };
  }

  // ============================================================ entry points

  handle(input: GroupInput, nowMsIn: number): GroupOutput {
    if (this.inHandle) throw new Error('assertion: GroupCoordinator.handle is not re-entrant');
    this.inHandle = true;
    try {
      const nowMs = Math.max(nowMsIn, this.lastNowMs);
      this.lastNowMs = nowMs;
      this.armLoadedMembers(nowMs);
      this.nextOffsetsExpirationMs ??= nowMs + this.config.offsetsRetentionCheckIntervalMs;
      this.dispatch(input, nowMs);
      this.settle(input, nowMs);
      const out: GroupOutput = { responses: this.responses, records: this.records, nextDeadlineMs: this.nextDeadlineMs() };
      return out;
    } finally {
      this.responses = [];
      this.records = [];
      this.inHandle = false;
    }
  }

  /** Applies one `__consumer_offsets` record (load path). Unknown key versions are skipped. */
  replay(key: Buffer, value: Buffer | null): void {
    if (this.inHandle) throw new Error('assertion: replay during handle');
    const k = decodeKey(key);
    if (k.type === 'offsetCommit') {
      this.replayOffset(k.group, k.topic, k.partition, value === null ? null : decodeOffsetCommitValue(value));
    } else if (k.type === 'groupMetadata') {
      this.replayGroup(k.group, value === null ? null : decodeGroupMetadataValue(value));
    }
  }

  groupIds(): string[] { return [...this.groups.keys()].sort(); }

  /** A side-effect-free view of one group (no timers run), or null if it does not exist. */
  snapshot(groupId: string): GroupSnapshot | null {
    const g = this.groups.get(groupId);
    if (g === undefined) return null;
    const members = [...g.members.values()].map((m): MemberSnapshot => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs, rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      metadata: m.metadataFor(g.protocolName), assignment: m.assignment,
    })).sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const offsets: OffsetSnapshot[] = [];
    for (const [topic, partitions] of g.offsets) {
      for (const [partition, o] of partitions) offsets.push({ topic, partition, ...o });
    }
    offsets.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    return {
      groupId, state: g.state, generationId: g.generationId, protocolType: g.protocolType,
      protocolName: g.protocolName, leaderId: g.leaderId, currentStateTimestampMs: g.currentStateTimestampMs,
      members, offsets,
    };
  }

  private dispatch(input: GroupInput, nowMs: number): void {
    switch (input.kind) {
      case 'tick': return this.onTick(nowMs);
      case 'join': return this.onJoin(input, nowMs);
      case 'sync': return this.onSync(input, nowMs);
      case 'heartbeat': return this.onHeartbeat(input, nowMs);
      case 'leave': return this.onLeave(input, nowMs);
      case 'offsetCommit': return this.onOffsetCommit(input, nowMs);
      case 'offsetFetch': return this.onOffsetFetch(input, nowMs);
      case 'listGroups': return this.onListGroups(input, nowMs);
      case 'describeGroups': return this.onDescribeGroups(input, nowMs);
      case 'deleteGroups': return this.onDeleteGroups(input, nowMs);
      case 'offsetDelete': return this.onOffsetDelete(input, nowMs);
    }
  }

  /**
   * Fires timers that the request itself made due (a zero initial delay or rebalance timeout),
   * so the answer leaves in this call rather than at the next tick.
   */
  private settle(input: GroupInput, nowMs: number): void {
    if (input.kind !== 'join' && input.kind !== 'sync' && input.kind !== 'leave' && input.kind !== 'heartbeat') return;
    const group = this.groups.get(input.req.groupId);
    if (group === undefined) return;
    this.advance(group, nowMs);
    this.forgetIfGhost(group);
  }

  private respond<K extends ResponseKind>(requestId: RequestId, kind: K, response: ResponseByKind[K]): void {
    this.responses.push({ requestId, kind, response } as GroupResponse);
  }

  private parked(input: { requestId: RequestId; apiVersion: number }): ParkedRequest {
    return { requestId: input.requestId, apiVersion: input.apiVersion };
  }

  /** The group with its due timers fired, or undefined. */
  private liveGroup(groupId: string, nowMs: number): Group | undefined {
    const group = this.groups.get(groupId);
    if (group !== undefined) this.advance(group, nowMs);
    return group;
  }

  private forgetIfGhost(group: Group): void {
    if (group.isGhost() && this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  // ============================================================ timers

  private onTick(nowMs: number): void {
    for (const group of [...this.groups.values()]) {
      this.advance(group, nowMs);
      this.forgetIfGhost(group);
    }
    if (this.nextOffsetsExpirationMs !== null && nowMs >= this.nextOffsetsExpirationMs) {
      this.expireOffsets(nowMs);
      this.nextOffsetsExpirationMs = nowMs + this.config.offsetsRetentionCheckIntervalMs;
    }
  }

  private advance(group: Group, nowMs: number): void {
    for (let fired = 0; ; fired++) {
      if (fired > 100_000) throw new Error(`assertion: timer loop in group ${group.groupId}`);
      const event = this.earliestEvent(group);
      if (event === null || event.atMs > nowMs) return;
      event.fire(event.atMs);
    }
  }

  private sessionDeadlineMs(member: Member): number | null {
    if (member.lastHeartbeatMs === null) return null;
    if (member.awaitingJoin !== null) return member.isNew ? member.lastHeartbeatMs + this.config.newMemberJoinTimeoutMs : null;
    if (member.awaitingSync !== null) return null;
    return member.lastHeartbeatMs + member.sessionTimeoutMs;
  }

  private earliestEvent(group: Group): DueEvent | null {
    let best: DueEvent | null = null;
    const consider = (atMs: number | null, fire: (atMs: number) => void): void => {
      if (atMs !== null && (best === null || atMs < best.atMs)) best = { atMs, fire };
    };
    for (const [memberId, deadlineMs] of group.pendingMembers) {
      consider(deadlineMs, (at) => this.removePendingMember(group, memberId, at));
    }
    for (const member of group.members.values()) {
      consider(this.sessionDeadlineMs(member), (at) => this.removeMemberAndUpdateGroup(group, member, at));
    }
    consider(group.pendingSyncDeadlineMs, (at) => this.onPendingSyncExpired(group, at));
    if (group.is('PreparingRebalance')) consider(group.joinDeadlineMs, (at) => this.onJoinDeadline(group, at));
    return best;
  }

  private nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const group of this.groups.values()) {
      const event = this.earliestEvent(group);
      if (event !== null && (next === null || event.atMs < next)) next = event.atMs;
    }
    if (this.groups.size > 0 && this.nextOffsetsExpirationMs !== null) {
      next = next === null ? this.nextOffsetsExpirationMs : Math.min(next, this.nextOffsetsExpirationMs);
    }
    return next;
  }

  private armLoadedMembers(nowMs: number): void {
    if (!this.hasUnarmedMembers) return;
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) m.lastHeartbeatMs ??= nowMs;
    }
    this.hasUnarmedMembers = false;
  }

  // ============================================================ JoinGroup

  private onJoin(input: InputOf<'join'>, nowMs: number): void {
    const { req } = input;
    if (req.groupId === '') return this.respond(input.requestId, 'join', joinError(INVALID_GROUP_ID, req.memberId));
    if (req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return this.respond(input.requestId, 'join', joinError(INVALID_SESSION_TIMEOUT, req.memberId));
    }
    let group = this.liveGroup(req.groupId, nowMs);
    if (group === undefined) {
      if (req.memberId !== '') return this.respond(input.requestId, 'join', joinError(UNKNOWN_MEMBER_ID, req.memberId));
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    }
    if (!this.acceptsJoiningMember(group, req.memberId)) {
      const member = group.members.get(req.memberId);
      if (member !== undefined) this.removeMemberAndUpdateGroup(group, member, nowMs);
      this.respond(input.requestId, 'join', joinError(GROUP_MAX_SIZE_REACHED, ''));
    } else if (req.memberId === '') {
      this.joinUnknownMember(group, input, nowMs);
    } else {
      this.joinKnownMember(group, input, nowMs);
    }
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group, nowMs);
    this.forgetIfGhost(group);
  }

  /** Kafka's `group.max.size` admission: members already waiting in the join always get in. */
  private acceptsJoiningMember(group: Group, memberId: string): boolean {
    const max = this.config.groupMaxSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return group.members.get(memberId)?.awaitingJoin != null || group.numAwaitingJoin() < max;
      case 'CompletingRebalance':
      case 'Stable':
        return group.members.has(memberId) || group.members.size < max;
    }
  }

  private joinUnknownMember(group: Group, input: InputOf<'join'>, nowMs: number): void {
    const { req } = input;
    if (group.is('Dead')) return this.respond(input.requestId, 'join', joinError(COORDINATOR_NOT_AVAILABLE, ''));
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      return this.respond(input.requestId, 'join', joinError(INCONSISTENT_GROUP_PROTOCOL, ''));
    }
    const newMemberId = `${req.groupInstanceId ?? input.clientId}-${this.deps.randomUuid()}`;
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.staticMembers.get(req.groupInstanceId);
      if (oldMemberId !== undefined) return this.replaceStaticMember(group, oldMemberId, newMemberId, input, nowMs);
      return this.addMemberAndRebalance(group, newMemberId, input, nowMs);
    }
    if (input.apiVersion >= 4) {
      group.pendingMembers.set(newMemberId, nowMs + req.sessionTimeoutMs);
      return this.respond(input.requestId, 'join', joinError(MEMBER_ID_REQUIRED, newMemberId));
    }
    this.addMemberAndRebalance(group, newMemberId, input, nowMs);
  }

  private joinKnownMember(group: Group, input: InputOf<'join'>, nowMs: number): void {
    const { req } = input;
    const fail = (errorCode: number): void => this.respond(input.requestId, 'join', joinError(errorCode, req.memberId));
    if (group.is('Dead')) return fail(COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return fail(INCONSISTENT_GROUP_PROTOCOL);
    if (group.pendingMembers.has(req.memberId)) {
      if (req.groupInstanceId !== null) return fail(UNKNOWN_MEMBER_ID);
      return this.addMemberAndRebalance(group, req.memberId, input, nowMs);
    }
    const error = this.validateMember(group, req.memberId, req.groupInstanceId);
    if (error !== NONE) return fail(error);
    const member = group.members.get(req.memberId)!;
    const unchanged = member.hasSameProtocols(req.protocols);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, input, nowMs);
      case 'CompletingRebalance':
        // Same metadata: the member lost our JoinGroup answer; give it again.
        if (unchanged) return this.respond(input.requestId, 'join', this.joinResult(group, member.memberId));
        return this.updateMemberAndRebalance(group, member, input, nowMs);
      case 'Empty':
      case 'Stable':
        // A follower with unchanged metadata learns the current generation; the leader rebalances.
        if (unchanged && !group.isLeader(member.memberId)) {
          return this.respond(input.requestId, 'join', this.joinResult(group, member.memberId));
        }
        return this.updateMemberAndRebalance(group, member, input, nowMs);
      case 'Dead':
        return fail(COORDINATOR_NOT_AVAILABLE);
    }
  }

  /** NONE, FENCED_INSTANCE_ID or UNKNOWN_MEMBER_ID for a member id (+ instance id) in the group. */
  private validateMember(group: Group, memberId: string, groupInstanceId: string | null): number {
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return FENCED_INSTANCE_ID;
    if (!group.members.has(memberId)) return UNKNOWN_MEMBER_ID;
    if (groupInstanceId !== null && !group.staticMembers.has(groupInstanceId)) return UNKNOWN_MEMBER_ID;
    return NONE;
  }

  private memberList(group: Group): JoinGroupResponseMember[] {
    return [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(group.protocolName),
    }));
  }

  /** The successful JoinGroup answer for `memberId` in the current generation. */
  private joinResult(group: Group, memberId: string): JoinGroupResponse {
    return {
      errorCode: NONE, generationId: group.generationId, protocolType: group.protocolType,
      protocolName: group.protocolName, leader: group.leaderId ?? '', skipAssignment: false, memberId,
      members: group.isLeader(memberId) ? this.memberList(group) : [],
    };
  }

  private updateMemberFromJoin(member: Member, input: InputOf<'join'>): void {
    const { req } = input;
    member.protocols = req.protocols;
    member.protocolType = req.protocolType;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
    member.clientId = input.clientId;
    member.clientHost = input.clientHost;
  }

  private parkJoin(member: Member, input: InputOf<'join'>): void {
    if (member.awaitingJoin !== null) {
      this.respond(member.awaitingJoin.requestId, 'join', joinError(REBALANCE_IN_PROGRESS, member.memberId));
    }
    member.awaitingJoin = this.parked(input);
  }

  private addMemberAndRebalance(group: Group, memberId: string, input: InputOf<'join'>, nowMs: number): void {
    const { req } = input;
    const member = new Member({
      memberId, groupInstanceId: req.groupInstanceId, clientId: input.clientId, clientHost: input.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs, protocolType: req.protocolType, protocols: req.protocols,
    });
    member.isNew = true;
    member.lastHeartbeatMs = nowMs;
    member.awaitingJoin = this.parked(input);
    // Kafka extends the initial delay only while a brand-new group collects its first members.
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member);
    group.pendingMembers.delete(memberId);
    this.maybePrepareRebalance(group, nowMs);
  }

  private updateMemberAndRebalance(group: Group, member: Member, input: InputOf<'join'>, nowMs: number): void {
    this.updateMemberFromJoin(member, input);
    this.parkJoin(member, input);
    this.maybePrepareRebalance(group, nowMs);
  }

  /**
   * A known static member came back with a new member id: fence the old id, move the member over,
   * and in a Stable group keep the assignment without a rebalance if the selected protocol stays.
   */
  private replaceStaticMember(group: Group, oldMemberId: string, newMemberId: string, input: InputOf<'join'>, nowMs: number): void {
    const leaderBefore = group.leaderId ?? '';
    const old = group.members.get(oldMemberId)!;
    if (old.awaitingJoin !== null) this.respond(old.awaitingJoin.requestId, 'join', joinError(FENCED_INSTANCE_ID, oldMemberId));
    if (old.awaitingSync !== null) this.respond(old.awaitingSync.requestId, 'sync', syncError(FENCED_INSTANCE_ID));
    old.awaitingJoin = null;
    old.awaitingSync = null;
    const member = group.replaceMemberId(oldMemberId, newMemberId);
    member.lastHeartbeatMs = nowMs;
    this.updateMemberFromJoin(member, input);
    switch (group.state) {
      case 'Stable': {
        if (group.selectProtocol() !== group.protocolName) {
          member.awaitingJoin = this.parked(input);
          return this.prepareRebalance(group, nowMs);
        }
        group.computeSubscribedTopics();
        this.storeGroup(group);
        const isLeader = group.isLeader(newMemberId);
        // `leader` stays the id from before the replacement, so an old (pre-v9) client that was
        // the leader sees itself as a follower and does not reassign (Kafka's behaviour).
        return this.respond(input.requestId, 'join', {
          ...this.joinResult(group, newMemberId), leader: leaderBefore, skipAssignment: isLeader,
        });
      }
      case 'CompletingRebalance':
        // The leader may already be assigning for the old id: start over.
        member.awaitingJoin = this.parked(input);
        return this.prepareRebalance(group, nowMs);
      case 'PreparingRebalance':
        member.awaitingJoin = this.parked(input);
        return;
      case 'Empty':
      case 'Dead':
        throw new Error(`assertion: static member in a ${group.state} group`);
    }
  }

  private maybePrepareRebalance(group: Group, nowMs: number): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.prepareRebalance(group, nowMs);
  }

  private prepareRebalance(group: Group, nowMs: number): void {
    if (group.is('CompletingRebalance')) this.resetAssignments(group, REBALANCE_IN_PROGRESS);
    group.pendingSyncMembers.clear();
    group.pendingSyncDeadlineMs = null;
    if (group.is('Empty')) {
      const delayMs = this.config.groupInitialRebalanceDelayMs;
      group.initialDelay = { delayMs, remainingMs: Math.max(group.rebalanceTimeoutMs() - delayMs, 0) };
      group.joinDeadlineMs = nowMs + delayMs;
    } else {
      group.initialDelay = null;
      group.joinDeadlineMs = nowMs + group.rebalanceTimeoutMs();
    }
    group.transitionTo('PreparingRebalance', nowMs);
    this.tryCompleteJoin(group, nowMs);
  }

  /** Clears assignments and answers parked SyncGroups with `errorCode`. */
  private resetAssignments(group: Group, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY_BYTES;
      if (m.awaitingSync !== null) this.respond(m.awaitingSync.requestId, 'sync', syncError(errorCode));
      m.awaitingSync = null;
    }
  }

  private tryCompleteJoin(group: Group, nowMs: number): void {
    if (group.is('PreparingRebalance') && group.initialDelay === null && group.hasAllMembersJoined()) {
      this.completeJoin(group, nowMs);
    }
  }

  private onJoinDeadline(group: Group, atMs: number): void {
    const delay = group.initialDelay;
    if (delay !== null && group.newMemberAdded && delay.remainingMs > 0) {
      group.newMemberAdded = false;
      const delayMs = Math.min(this.config.groupInitialRebalanceDelayMs, delay.remainingMs);
      group.initialDelay = { delayMs, remainingMs: Math.max(delay.remainingMs - delay.delayMs, 0) };
      group.joinDeadlineMs = atMs + delayMs;
      return;
    }
    this.completeJoin(group, atMs);
  }

  /** Ends the join phase: drop dynamic stragglers, start the next generation, answer the joiners. */
  private completeJoin(group: Group, nowMs: number): void {
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin === null && !m.isStatic) group.remove(m.memberId);
    }
    group.initialDelay = null;
    group.newMemberAdded = false;
    if (group.members.size > 0 && !this.electJoinedLeader(group)) {
      // Only static members that have not rejoined are left: wait for them or their sessions.
      group.joinDeadlineMs = nowMs + group.rebalanceTimeoutMs();
      return;
    }
    group.joinDeadlineMs = null;
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.subscribedTopics = null;
      group.transitionTo('Empty', nowMs);
      this.storeGroup(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.computeSubscribedTopics();
    group.transitionTo('CompletingRebalance', nowMs);
    for (const m of group.members.values()) {
      if (m.awaitingJoin !== null) this.respond(m.awaitingJoin.requestId, 'join', this.joinResult(group, m.memberId));
      m.awaitingJoin = null;
      m.isNew = false;
      m.lastHeartbeatMs = nowMs;
      group.pendingSyncMembers.add(m.memberId);
    }
    group.pendingSyncDeadlineMs = nowMs + group.rebalanceTimeoutMs();
  }

  /** Keeps a leader that rejoined, else picks a member that did; false if nobody rejoined. */
  private electJoinedLeader(group: Group): boolean {
    if (group.leaderId !== null && group.members.get(group.leaderId)?.awaitingJoin != null) return true;
    for (const m of group.members.values()) {
      if (m.awaitingJoin !== null) {
        group.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member, nowMs: number): void {
    if (member.awaitingJoin !== null) {
      this.respond(member.awaitingJoin.requestId, 'join', joinError(UNKNOWN_MEMBER_ID, member.memberId));
    }
    if (member.awaitingSync !== null) this.respond(member.awaitingSync.requestId, 'sync', syncError(UNKNOWN_MEMBER_ID));
    member.awaitingJoin = null;
    member.awaitingSync = null;
    group.remove(member.memberId);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.prepareRebalance(group, nowMs);
    else if (group.is('PreparingRebalance')) this.tryCompleteJoin(group, nowMs);
  }

  private removePendingMember(group: Group, memberId: string, nowMs: number): void {
    group.pendingMembers.delete(memberId);
    this.tryCompleteJoin(group, nowMs);
  }

  private onPendingSyncExpired(group: Group, atMs: number): void {
    group.pendingSyncDeadlineMs = null;
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.pendingSyncMembers.size === 0) return;
    const laggards = [...group.pendingSyncMembers];
    group.pendingSyncMembers.clear();
    for (const memberId of laggards) group.remove(memberId);
    this.prepareRebalance(group, atMs);
  }

  // ============================================================ SyncGroup / Heartbeat / LeaveGroup

  private onSync(input: InputOf<'sync'>, nowMs: number): void {
    const { req } = input;
    const fail = (errorCode: number): void => this.respond(input.requestId, 'sync', syncError(errorCode));
    if (req.groupId === '') return fail(INVALID_GROUP_ID);
    const group = this.liveGroup(req.groupId, nowMs);
    if (group === undefined) return fail(UNKNOWN_MEMBER_ID);
    if (group.is('Dead')) return fail(COORDINATOR_NOT_AVAILABLE);
    const error = this.validateMember(group, req.memberId, req.groupInstanceId);
    if (error !== NONE) return fail(error);
    if (req.generationId !== group.generationId) return fail(ILLEGAL_GENERATION);
    if ((req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)) {
      return fail(INCONSISTENT_GROUP_PROTOCOL);
    }
    const member = group.members.get(req.memberId)!;
    switch (group.state) {
      case 'Empty': return fail(UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance': return fail(REBALANCE_IN_PROGRESS);
      case 'Dead': return fail(COORDINATOR_NOT_AVAILABLE);
      case 'Stable':
        member.lastHeartbeatMs = nowMs;
        this.markSynced(group, member.memberId);
        return this.respond(input.requestId, 'sync', {
          errorCode: NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment,
        });
      case 'CompletingRebalance':
        if (member.awaitingSync !== null) this.respond(member.awaitingSync.requestId, 'sync', syncError(REBALANCE_IN_PROGRESS));
        member.awaitingSync = this.parked(input);
        member.lastHeartbeatMs = nowMs;
        this.markSynced(group, member.memberId);
        if (group.isLeader(member.memberId)) this.completeSync(group, req.assignments, nowMs);
    }
  }

  private markSynced(group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) group.pendingSyncDeadlineMs = null;
  }

  /** The leader's assignment: persist it, go Stable, answer everybody waiting in SyncGroup. */
  private completeSync(group: Group, assignments: Array<{ memberId: string; assignment: Buffer }>, nowMs: number): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY_BYTES;
    group.transitionTo('Stable', nowMs);
    this.storeGroup(group);
    for (const m of group.members.values()) {
      if (m.awaitingSync === null) continue;
      this.respond(m.awaitingSync.requestId, 'sync', {
        errorCode: NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment,
      });
      m.awaitingSync = null;
    }
  }

  private onHeartbeat(input: InputOf<'heartbeat'>, nowMs: number): void {
    const { req } = input;
    this.respond(input.requestId, 'heartbeat', { errorCode: this.heartbeat(req.groupId, req.generationId, req.memberId, req.groupInstanceId, nowMs) });
  }

  private heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null, nowMs: number): number {
    if (groupId === '') return INVALID_GROUP_ID;
    const group = this.liveGroup(groupId, nowMs);
    if (group === undefined) return UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(group, memberId, groupInstanceId);
    if (error !== NONE) return error;
    if (generationId !== group.generationId) return ILLEGAL_GENERATION;
    if (group.is('Empty')) return UNKNOWN_MEMBER_ID;
    group.members.get(memberId)!.lastHeartbeatMs = nowMs;
    return group.is('PreparingRebalance') ? REBALANCE_IN_PROGRESS : NONE;
  }

  private onLeave(input: InputOf<'leave'>, nowMs: number): void {
    const { req } = input;
    const leaving = input.apiVersion < 3 ? [{ memberId: req.memberId, groupInstanceId: null }] : req.members;
    const group = req.groupId === '' ? undefined : this.liveGroup(req.groupId, nowMs);
    if (req.groupId === '' || group?.is('Dead') === true) {
      return this.respond(input.requestId, 'leave', {
        errorCode: req.groupId === '' ? INVALID_GROUP_ID : COORDINATOR_NOT_AVAILABLE, members: [],
      });
    }
    const results: LeaveGroupMemberResponse[] = leaving.map((l) => ({
      memberId: l.memberId, groupInstanceId: l.groupInstanceId,
      errorCode: group === undefined ? UNKNOWN_MEMBER_ID : this.leaveOne(group, l.memberId, l.groupInstanceId, nowMs),
    }));
    if (group !== undefined) this.forgetIfGhost(group);
    if (input.apiVersion < 3) return this.respond(input.requestId, 'leave', { errorCode: results[0]!.errorCode, members: [] });
    this.respond(input.requestId, 'leave', { errorCode: NONE, members: results });
  }

  private leaveOne(group: Group, memberId: string, groupInstanceId: string | null, nowMs: number): number {
    if (groupInstanceId !== null) {
      const current = group.staticMembers.get(groupInstanceId);
      if (current === undefined) return UNKNOWN_MEMBER_ID;
      if (memberId !== '' && current !== memberId) return FENCED_INSTANCE_ID;
      this.removeMemberAndUpdateGroup(group, group.members.get(current)!, nowMs);
      return NONE;
    }
    if (group.pendingMembers.has(memberId)) {
      this.removePendingMember(group, memberId, nowMs);
      return NONE;
    }
    const member = group.members.get(memberId);
    if (member === undefined) return UNKNOWN_MEMBER_ID;
    this.removeMemberAndUpdateGroup(group, member, nowMs);
    return NONE;
  }

  // ============================================================ offsets

  private onOffsetCommit(input: InputOf<'offsetCommit'>, nowMs: number): void {
    const { req } = input;
    const failAll = (errorCode: number): void => this.respond(input.requestId, 'offsetCommit', {
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    });
    let group = this.liveGroup(req.groupId, nowMs);
    if (group === undefined) {
      if (req.generationIdOrMemberEpoch >= 0) return failAll(input.apiVersion >= 9 ? GROUP_ID_NOT_FOUND : ILLEGAL_GENERATION);
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    }
    const error = this.validateCommit(group, req.generationIdOrMemberEpoch, req.memberId, req.groupInstanceId);
    if (error !== NONE) {
      failAll(error);
    } else {
      const member = group.members.get(req.memberId);
      if (member !== undefined) member.lastHeartbeatMs = nowMs;
      this.respond(input.requestId, 'offsetCommit', { topics: req.topics.map((t) => this.storeOffsets(group, t, nowMs)) });
    }
    this.forgetIfGhost(group);
  }

  private validateCommit(group: Group, generationId: number, memberId: string, groupInstanceId: string | null): number {
    if (group.is('Dead')) return COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return FENCED_INSTANCE_ID;
    if (generationId < 0 && group.is('Empty')) return NONE; // standalone consumer storing offsets
    if (group.is('CompletingRebalance')) return REBALANCE_IN_PROGRESS;
    if (!group.members.has(memberId)) return UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ILLEGAL_GENERATION;
    return NONE;
  }

  private storeOffsets(group: Group, topic: OffsetCommitRequestTopic, nowMs: number): OffsetCommitResponseTopic {
    const exists = this.deps.partitionExists ?? (() => true);
    return {
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const metadata = p.committedMetadata ?? '';
        if (metadata.length > this.config.offsetMetadataMaxBytes) return { partitionIndex: p.partitionIndex, errorCode: OFFSET_METADATA_TOO_LARGE };
        if (!exists(topic.name, p.partitionIndex)) return { partitionIndex: p.partitionIndex, errorCode: UNKNOWN_TOPIC_OR_PARTITION };
        this.writeOffset(group.groupId, topic.name, p.partitionIndex, {
          offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata, commitTimestampMs: nowMs,
        });
        return { partitionIndex: p.partitionIndex, errorCode: NONE };
      }),
    };
  }

  /** Emits an offset record (null = tombstone) and applies it through `replay`'s path. */
  private writeOffset(groupId: string, topic: string, partition: number, value: CommittedOffset | null): void {
    const key = encodeOffsetCommitKey(groupId, topic, partition);
    this.records.push({ key, value: value === null ? null : encodeOffsetCommitValue(value) });
    this.replayOffset(groupId, topic, partition, value === null ? null : { ...value, expireTimestampMs: -1 });
  }

  private onOffsetFetch(input: InputOf<'offsetFetch'>, nowMs: number): void {
    this.respond(input.requestId, 'offsetFetch', { groups: input.req.groups.map((g) => this.fetchGroupOffsets(g, nowMs)) });
  }

  private fetchGroupOffsets(req: OffsetFetchRequestGroup, nowMs: number): OffsetFetchResponseGroup {
    const group = this.liveGroup(req.groupId, nowMs);
    const offsets = group === undefined || group.is('Dead') ? new Map<string, Map<number, CommittedOffset>>() : group.offsets;
    const wanted = req.topics ?? [...offsets].map(([name, partitions]) => ({ name, partitionIndexes: [...partitions.keys()] }));
    return {
      groupId: req.groupId, errorCode: NONE,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const o = offsets.get(t.name)?.get(partitionIndex);
          return o === undefined
            ? { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: NONE }
            : { partitionIndex, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: NONE };
        }),
      })),
    };
  }

  private onOffsetDelete(input: InputOf<'offsetDelete'>, nowMs: number): void {
    const { req } = input;
    const group = this.liveGroup(req.groupId, nowMs);
    if (group === undefined || group.is('Dead')) return this.respond(input.requestId, 'offsetDelete', { errorCode: GROUP_ID_NOT_FOUND, topics: [] });
    if (!group.is('Empty') && group.protocolType !== CONSUMER_PROTOCOL_TYPE) {
      return this.respond(input.requestId, 'offsetDelete', { errorCode: NON_EMPTY_GROUP, topics: [] });
    }
    const topics = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map(({ partitionIndex }) => {
        if (!group.is('Empty') && group.isSubscribedToTopic(t.name)) return { partitionIndex, errorCode: GROUP_SUBSCRIBED_TO_TOPIC };
        if (group.offsets.get(t.name)?.has(partitionIndex) === true) this.writeOffset(group.groupId, t.name, partitionIndex, null);
        return { partitionIndex, errorCode: NONE };
      }),
    }));
    this.forgetIfGhost(group);
    this.respond(input.requestId, 'offsetDelete', { errorCode: NONE, topics });
  }

  /** Kafka's retention rules (KIP-211), then removal of empty groups left without offsets. */
  private expireOffsets(nowMs: number): void {
    for (const group of [...this.groups.values()]) {
      const rule = this.expirationRule(group);
      if (rule !== null) {
        for (const [topic, partitions] of [...group.offsets]) {
          if (!rule.appliesTo(topic)) continue;
          for (const [partition, o] of [...partitions]) {
            if (rule.baseMs(o) + this.config.offsetsRetentionMs <= nowMs) this.writeOffset(group.groupId, topic, partition, null);
          }
        }
      }
      if (group.is('Empty') && !group.hasOffsets() && group.pendingMembers.size === 0) this.deleteGroup(group, nowMs);
    }
  }

  private expirationRule(group: Group): { baseMs: (o: CommittedOffset) => number; appliesTo: (topic: string) => boolean } | null {
    if (group.protocolType !== null && group.is('Empty')) {
      return { baseMs: (o) => group.currentStateTimestampMs ?? o.commitTimestampMs, appliesTo: () => true };
    }
    const subscribed = group.subscribedTopics;
    if (group.protocolType === CONSUMER_PROTOCOL_TYPE && subscribed !== null && group.is('Stable')) {
      return { baseMs: (o) => o.commitTimestampMs, appliesTo: (topic) => !subscribed.has(topic) };
    }
    if (group.protocolType === null) return { baseMs: (o) => o.commitTimestampMs, appliesTo: () => true };
    return null;
  }

  // ============================================================ admin

  private onListGroups(input: InputOf<'listGroups'>, nowMs: number): void {
    const states = new Set(input.req.statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(input.req.typesFilter.map((s) => s.toLowerCase()));
    const groups = [];
    for (const group of [...this.groups.values()]) {
      this.advance(group, nowMs);
      if (group.is('Dead') || (states.size > 0 && !states.has(group.state.toLowerCase())) || (types.size > 0 && !types.has('classic'))) continue;
      groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' });
    }
    this.respond(input.requestId, 'listGroups', { errorCode: NONE, groups });
  }

  private onDescribeGroups(input: InputOf<'describeGroups'>, nowMs: number): void {
    this.respond(input.requestId, 'describeGroups', { groups: input.req.groups.map((id) => this.describe(id, nowMs)) });
  }

  private describe(groupId: string, nowMs: number): DescribedGroup {
    const group = this.liveGroup(groupId, nowMs);
    if (group === undefined || group.is('Dead')) {
      return {
        errorCode: NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [],
        authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    }
    // Kafka shows metadata and assignments only for a Stable group.
    const stable = group.is('Stable');
    return {
      errorCode: NONE, groupId, groupState: group.state, protocolType: group.protocolType ?? '',
      protocolData: stable ? group.protocolName ?? '' : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(group.protocolName) : EMPTY_BYTES,
        memberAssignment: stable ? m.assignment : EMPTY_BYTES,
      })),
      authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  }

  private onDeleteGroups(input: InputOf<'deleteGroups'>, nowMs: number): void {
    const results = input.req.groupsNames.map((groupId) => {
      const group = this.liveGroup(groupId, nowMs);
      if (group === undefined || group.is('Dead')) return { groupId, errorCode: GROUP_ID_NOT_FOUND };
      if (!group.is('Empty')) return { groupId, errorCode: NON_EMPTY_GROUP };
      this.deleteGroup(group, nowMs);
      return { groupId, errorCode: NONE };
    });
    this.respond(input.requestId, 'deleteGroups', { results });
  }

  /** Tombstones every offset, then the group; the group is Dead and forgotten. */
  private deleteGroup(group: Group, nowMs: number): void {
    for (const [topic, partitions] of [...group.offsets]) {
      for (const partition of [...partitions.keys()]) this.writeOffset(group.groupId, topic, partition, null);
    }
    this.records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    group.transitionTo('Dead', nowMs);
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  // ============================================================ records

  private storeGroup(group: Group): void {
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '', generation: group.generationId, protocol: group.protocolName,
      leader: group.leaderId, currentStateTimestampMs: group.currentStateTimestampMs ?? -1,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.metadataFor(group.protocolName), assignment: m.assignment,
      })),
    };
    this.records.push({ key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(value) });
  }

  private replayOffset(groupId: string, topic: string, partition: number, value: OffsetCommitValue | null): void {
    let group = this.groups.get(groupId);
    if (value === null) {
      if (group === undefined) return;
      const partitions = group.offsets.get(topic);
      partitions?.delete(partition);
      if (partitions?.size === 0) group.offsets.delete(topic);
      this.forgetIfGhost(group);
      return;
    }
    if (group === undefined) {
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    let partitions = group.offsets.get(topic);
    if (partitions === undefined) group.offsets.set(topic, (partitions = new Map()));
    partitions.set(partition, {
      offset: value.offset, leaderEpoch: value.leaderEpoch, metadata: value.metadata, commitTimestampMs: value.commitTimestampMs,
    });
  }

  /** Load path only: a group record replaces the in-memory membership wholesale. */
  private replayGroup(groupId: string, value: GroupMetadataValue | null): void {
    const existing = this.groups.get(groupId);
    const group = new Group(groupId);
    for (const [topic, partitions] of existing?.offsets ?? []) group.offsets.set(topic, partitions);
    if (value === null) {
      if (group.hasOffsets()) this.groups.set(groupId, group);
      else this.groups.delete(groupId);
      return;
    }
    group.generationId = value.generation;
    group.protocolName = value.protocol;
    group.currentStateTimestampMs = value.currentStateTimestampMs < 0 ? null : value.currentStateTimestampMs;
    for (const vm of value.members) {
      const member = new Member({
        memberId: vm.memberId, groupInstanceId: vm.groupInstanceId, clientId: vm.clientId, clientHost: vm.clientHost,
        rebalanceTimeoutMs: vm.rebalanceTimeoutMs, sessionTimeoutMs: vm.sessionTimeoutMs,
        protocolType: value.protocolType, protocols: [{ name: value.protocol ?? '', metadata: vm.subscription }],
      });
      member.assignment = vm.assignment;
      group.add(member);
    }
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    if (value.leader !== null && group.members.has(value.leader)) group.leaderId = value.leader;
    group.state = group.members.size > 0 ? 'Stable' : 'Empty';
    group.computeSubscribedTopics();
    this.hasUnarmedMembers ||= group.members.size > 0;
    this.groups.set(groupId, group);
  }
}
