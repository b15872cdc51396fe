/**
 * In-memory state of one classic group and its members, with the small predicates the coordinator
 * reads as sentences. No I/O, no clock: every timestamp arrives from the coordinator.
 *
 * Ownership: only `GroupCoordinator` mutates these objects. Invariants (asserted where cheap):
 * - `leaderId` is null iff `members` is empty; otherwise it names a member.
 * - `staticMembers` maps each static member's instance id to its current member id, and nothing else.
 * - state transitions follow Kafka's table (`VALID_PREVIOUS_STATES`).
 */
import type { GroupState, JoinGroupRequestProtocol, RequestId } from './types.js';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from './consumer-protocol.js';

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** A request parked until the group moves on (Kafka's delayed join/sync "callbacks"). */
export interface ParkedRequest { requestId: RequestId; apiVersion: number }

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

export interface MemberInit {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
}

export class Member {
  memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  assignment: Buffer = EMPTY_BYTES;
  awaitingJoin: ParkedRequest | null = null;
  awaitingSync: ParkedRequest | null = null;
  /** null right after a replay: the coordinator arms it with the first `nowMs` it sees. */
  lastHeartbeatMs: number | null = null;
  /** Joined but never completed a join: limited by `newMemberJoinTimeoutMs`. */
  isNew = false;

  constructor(init: MemberInit) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
  }

  get isStatic(): boolean { return this.groupInstanceId !== null; }

  metadataFor(protocolName: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BYTES;
  }

  /** Same protocols, same order, same metadata bytes. */
  hasSameProtocols(protocols: JoinGroupRequestProtocol[]): boolean {
    return protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** The member's favourite protocol among `candidates`. */
  vote(candidates: Set<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    if (choice === undefined) throw new Error('assertion: member supports none of the candidate protocols');
    return choice.name;
  }
}

const VALID_PREVIOUS_STATES: Record<GroupState, GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Time of the last state change; null for groups that only hold offsets. */
  currentStateTimestampMs: number | null = null;
  readonly members = new Map<string, Member>();
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with the time they lapse. */
  readonly pendingMembers = new Map<string, number>();
  /** Members of the new generation that have not sent SyncGroup yet (KIP-345 pending sync). */
  readonly pendingSyncMembers = new Set<string>();
  pendingSyncDeadlineMs: number | null = null;
  /** When the join phase (PreparingRebalance) ends at the latest. */
  joinDeadlineMs: number | null = null;
  /** Set while the join phase is Kafka's InitialDelayedJoin. */
  initialDelay: { delayMs: number; remainingMs: number } | null = null;
  newMemberAdded = false;
  /** Topics the current generation consumes; null = unknown (treated as "all"). */
  subscribedTopics: Set<string> | null = null;
  /** topic -> partition -> offset. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();

  constructor(readonly groupId: string) {}

  is(state: GroupState): boolean { return this.state === state; }

  transitionTo(state: GroupState, nowMs: number): void {
    if (!VALID_PREVIOUS_STATES[state].includes(this.state)) {
      throw new Error(`assertion: group ${this.groupId} cannot go from ${this.state} to ${state}`);
    }
    this.state = state;
    this.currentStateTimestampMs = nowMs;
  }

  isLeader(memberId: string): boolean { return this.leaderId === memberId; }

  hasOffsets(): boolean { return this.offsets.size > 0; }

  offsetCount(): number {
    let n = 0;
    for (const partitions of this.offsets.values()) n += partitions.size;
    return n;
  }

  numAwaitingJoin(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin !== null) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.numAwaitingJoin() === this.members.size && this.pendingMembers.size === 0;
  }

  /** Max of the members' rebalance timeouts (0 with no members). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** A static member with this instance id exists under a different member id. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  add(member: Member): void {
    if (this.members.size === 0) {
      this.protocolType = member.protocolType;
      this.leaderId = member.memberId;
    }
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member === undefined) return;
    this.members.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** Moves a static member to a new member id, keeping its assignment and leadership. */
  replaceMemberId(oldMemberId: string, newMemberId: string): Member {
    const member = this.members.get(oldMemberId);
    if (member === undefined || member.groupInstanceId === null) throw new Error('assertion: replacing an unknown static member');
    this.members.delete(oldMemberId);
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    this.staticMembers.set(member.groupInstanceId, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return member;
  }

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    let candidates: string[] | null = null;
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name));
      candidates = candidates === null ? [...names] : candidates.filter((n: string) => names.has(n));
    }
    return new Set(candidates ?? []);
  }

  /**
   * Whether a member offering these protocols may join. An empty group takes any non-empty offer;
   * otherwise the type must match and one protocol must be supported by everybody.
   */
  supportsProtocols(protocolType: string, protocols: JoinGroupRequestProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  /** Most votes wins; ties go to the protocol named first by the earliest member (deterministic). */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, count] of votes) if (best === null || count > votes.get(best)!) best = name;
    if (best === null) throw new Error('assertion: selecting a protocol for a group without members');
    return best;
  }

  /** Recomputes the subscribed topics of the current generation (consumer protocol only). */
  computeSubscribedTopics(): void {
    this.subscribedTopics = null;
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) return;
    const all = new Set<string>();
    for (const m of this.members.values()) {
      const topics = subscribedTopics(m.metadataFor(this.protocolName));
      if (topics === null) return;
      for (const t of topics) all.add(t);
    }
    this.subscribedTopics = all;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null || this.subscribedTopics.has(topic);
  }

  /** Never persisted and holding nothing: safe to forget. */
  isGhost(): boolean {
    return this.is('Empty') && this.generationId === 0 && this.members.size === 0 &&
      this.pendingMembers.size === 0 && !this.hasOffsets();
  }
}
