/**
 * `Consumer`: reads records from topics through a `KafkaClient`, with or without a consumer group.
 *
 * Contracts:
 * - Pull model: the caller loops on `poll()`, which returns the records of one round of Fetch
 *   requests (each long-polls up to `maxWaitMs`), in offset order per partition, never a record
 *   below the position it fetched from. Positions advance past control batches too.
 * - Without `groupId`: every partition of the topics (or `partitions`) is read, starting at
 *   `autoOffsetReset` (earliest or latest); nothing is committed. Topics that do not exist yet are
 *   looked up again on later polls.
 * - With `groupId`: the classic protocol with protocol type `consumer` and the `range` assignor
 *   (the member the coordinator elects leader computes the assignment). Eager rebalancing: on a
 *   rebalance every partition is given up and positions are taken again from committed offsets
 *   (or `autoOffsetReset`). Heartbeats run on a timer while the member is stable; a heartbeat,
 *   commit or sync answered with REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID
 *   makes the next `poll()` rejoin (after committing, with auto-commit on).
 * - Auto-commit (default on with a group) commits positions from `poll()` every
 *   `autoCommitIntervalMs`, before a rejoin, and on `close()`; `close()` then sends LeaveGroup.
 * - Only read_uncommitted is implemented: aborted transactional records are returned too.
 * This is an I/O edge: it uses timers and the wall clock.
 */
import { FetchRequest } from '../protocol/generated/fetch-request.js';
import { FetchResponse } from '../protocol/generated/fetch-response.js';
import { HeartbeatRequest } from '../protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../protocol/generated/heartbeat-response.js';
import { JoinGroupRequest } from '../protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../protocol/generated/join-group-response.js';
import { LeaveGroupRequest } from '../protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../protocol/generated/leave-group-response.js';
import { SyncGroupRequest } from '../protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../protocol/generated/sync-group-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { ZERO_UUID } from '../protocol/primitives.js';
import { decodeRecordBatches, type RecordHeader } from '../protocol/records.js';
import { KafkaAdmin, compareTopicPartitions, groupByTopic, type TopicPartition } from './admin.js';
import type { KafkaClient } from './client.js';
import { ConnectionError, RequestTimeoutError } from './connection.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  RANGE_ASSIGNOR,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
} from './consumer-protocol.js';
import { BrokerError, isCoordinatorError, isStaleMetadataError, throwIfError } from './errors.js';
import { sleep } from './retry.js';

export type OffsetReset = 'earliest' | 'latest';

export interface ConsumerOptions {
  topics: string[];
  groupId?: string | null;
  groupInstanceId?: string | null;
  /** Where to start when there is no committed offset (default `latest`, as Kafka). */
  autoOffsetReset?: OffsetReset;
  /** Without a group: read only these partitions of every topic. */
  partitions?: number[];
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Errors after which the member must join the group again. */
export function needsRejoin(code: number): boolean {
  return code === ErrorCode.REBALANCE_IN_PROGRESS || code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID;
}

const JOIN_ATTEMPTS_MAX = 100;
/** How often partition counts are checked for new partitions (Kafka: metadata.max.age.ms). */
const METADATA_CHECK_INTERVAL_MS = 5_000;
const FETCH_MAX_VERSION_WITHOUT_TOPIC_IDS = 12;

type Position = TopicPartition & { offset: number };

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class Consumer {
  private readonly client: KafkaClient;
  private readonly admin: KafkaAdmin;
  private readonly topics: string[];
  private readonly groupId: string | null;
  private readonly groupInstanceId: string | null;
  private readonly reset: OffsetReset;
  private readonly opts: Required<Omit<ConsumerOptions, 'topics' | 'groupId' | 'groupInstanceId' | 'autoOffsetReset' | 'partitions'>>;
  private readonly partitionFilter: number[] | null;
  private readonly positions = new Map<string, Position>();
  private readonly committed = new Map<string, number>();
  private assigned: TopicPartition[] = [];
  private needsAssignment = true;
  private coordinator: number | null = null;
  private memberIdValue = '';
  private generationIdValue = -1;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  private lastCommitMs = Date.now();
  private lastMetadataCheckMs = Date.now();
  /** Partition counts the assignment was computed from (leader only; null otherwise). */
  private assignedCounts: Map<string, number> | null = null;
  private fatal: unknown = null;
  private closed = false;
  private polling: Promise<unknown> = Promise.resolve();

  constructor(client: KafkaClient, options: ConsumerOptions) {
    if (options.topics.length === 0) throw new Error('A consumer needs at least one topic');
    this.client = client;
    this.admin = new KafkaAdmin(client);
    this.topics = [...new Set(options.topics)].sort();
    this.groupId = options.groupId ?? null;
    this.groupInstanceId = options.groupInstanceId ?? null;
    this.reset = options.autoOffsetReset ?? 'latest';
    this.partitionFilter = options.partitions ?? null;
    this.opts = {
      sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
      autoCommit: options.autoCommit ?? this.groupId !== null,
      autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5_000,
      maxWaitMs: options.maxWaitMs ?? 500,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
    };
  }

  get memberId(): string {
    return this.memberIdValue;
  }

  get generationId(): number {
    return this.generationIdValue;
  }

  /** The partitions this consumer reads now. */
  get assignment(): TopicPartition[] {
    return [...this.assigned];
  }

  /** The next offset to read per assigned partition. */
  get currentPositions(): Position[] {
    return [...this.positions.values()].sort(compareTopicPartitions);
  }

  /** One round: (re)join or assign if needed, then fetch. Resolves with [] once closed. */
  poll(): Promise<ConsumedRecord[]> {
    const run = this.polling.then(() => this.pollOnce());
    this.polling = run.catch(() => undefined);
    return run;
  }

  /**
   * Moves the position of an assigned partition (e.g. back to the first record the caller did not
   * process, so that commit does not skip it). Ignored for partitions not assigned.
   */
  seek(topic: string, partition: number, offset: number): void {
    const position = this.positions.get(keyOf(topic, partition));
    if (position !== undefined) position.offset = offset;
  }

  /** Commits the current positions (with a group); throws on errors. */
  async commit(): Promise<void> {
    if (this.groupId === null) return;
    const changed = [...this.positions.values()].filter((p) => this.committed.get(keyOf(p.topic, p.partition)) !== p.offset);
    if (changed.length === 0 || this.generationIdValue < 0) return;
    try {
      await this.admin.offsetCommit(this.groupId, changed, {
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: this.groupInstanceId,
      });
    } catch (err) {
      if (err instanceof BrokerError && needsRejoin(err.code)) this.requestRejoin(err.code);
      throw err;
    }
    for (const p of changed) this.committed.set(keyOf(p.topic, p.partition), p.offset);
    this.lastCommitMs = Date.now();
  }

  /** Stops heartbeats, commits (auto-commit), leaves the group. Idempotent; does not close the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.polling;
    this.stopHeartbeat();
    if (this.groupId === null || this.memberIdValue === '') return;
    if (this.opts.autoCommit) await this.commit().catch(() => undefined);
    await this.leaveGroup().catch(() => undefined);
  }

  private async pollOnce(): Promise<ConsumedRecord[]> {
    if (this.closed) return [];
    if (this.fatal !== null) throw this.fatal;
    if (Date.now() - this.lastMetadataCheckMs >= METADATA_CHECK_INTERVAL_MS) await this.checkPartitionCounts();
    if (this.groupId !== null) {
      if (this.needsAssignment) await this.rejoin();
      if (this.opts.autoCommit && Date.now() - this.lastCommitMs >= this.opts.autoCommitIntervalMs) {
        await this.commit().catch(() => undefined);
      }
    } else if (this.needsAssignment) {
      await this.assignAll();
    }
    if (this.positions.size === 0) {
      await sleep(this.opts.maxWaitMs);
      return [];
    }
    return this.fetchRound();
  }

  // ---- assignment ----

  /**
   * New partitions (or a subscribed topic created late) change the assignment: the group leader
   * then rejoins, as Kafka's leader does when metadata no longer matches its assignment; without a
   * group the new partitions are simply added.
   */
  private async checkPartitionCounts(): Promise<void> {
    this.lastMetadataCheckMs = Date.now();
    if (this.groupId !== null && this.assignedCounts === null) return;
    const counts = new Map<string, number>();
    try {
      for (const t of await this.client.refreshMetadata(this.topics)) if (t.errorCode === ErrorCode.NONE) counts.set(t.name, t.partitions.length);
    } catch {
      return;
    }
    if (this.groupId === null) {
      const assignedCount = (topic: string): number => this.assigned.filter((tp) => tp.topic === topic).length;
      if (this.partitionFilter === null && [...counts].some(([topic, n]) => n > assignedCount(topic))) this.needsAssignment = true;
      return;
    }
    const before = this.assignedCounts!;
    if (this.topics.some((topic) => counts.get(topic) !== before.get(topic))) this.needsAssignment = true;
  }

  private async assignAll(): Promise<void> {
    const topics = await this.client.refreshMetadata(this.topics);
    const partitions: TopicPartition[] = [];
    for (const t of topics) {
      if (t.errorCode !== ErrorCode.NONE) continue; // not created yet: look again next poll
      for (const p of t.partitions) {
        if (this.partitionFilter === null || this.partitionFilter.includes(p.partition)) partitions.push({ topic: t.name, partition: p.partition });
      }
    }
    const known = new Set(topics.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => t.name));
    await this.startAt(partitions, new Map());
    this.needsAssignment = this.topics.some((t) => !known.has(t));
  }

  /** Takes positions for `partitions`: committed offsets when given, else the reset policy. */
  private async startAt(partitions: TopicPartition[], committed: ReadonlyMap<string, number>): Promise<void> {
    const fresh = partitions.filter((tp) => !this.positions.has(keyOf(tp.topic, tp.partition)));
    const toReset = fresh.filter((tp) => (committed.get(keyOf(tp.topic, tp.partition)) ?? -1) < 0);
    const resetOffsets = toReset.length === 0 ? [] : await this.admin.listOffsets(toReset, this.reset);
    for (const tp of fresh) {
      const c = committed.get(keyOf(tp.topic, tp.partition));
      if (c !== undefined && c >= 0) {
        this.positions.set(keyOf(tp.topic, tp.partition), { ...tp, offset: c });
        this.committed.set(keyOf(tp.topic, tp.partition), c);
      }
    }
    for (const o of resetOffsets) this.positions.set(keyOf(o.topic, o.partition), { topic: o.topic, partition: o.partition, offset: o.offset });
    this.assigned = [...this.assigned, ...fresh].sort(compareTopicPartitions);
  }

  private async resetPosition(tp: TopicPartition): Promise<void> {
    const [o] = await this.admin.listOffsets([tp], this.reset);
    if (o !== undefined && this.positions.has(keyOf(tp.topic, tp.partition))) {
      this.positions.set(keyOf(tp.topic, tp.partition), { ...tp, offset: o.offset });
    }
  }

  // ---- group membership ----

  private requestRejoin(code: number): void {
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberIdValue = '';
      this.generationIdValue = -1;
    }
    this.needsAssignment = true;
  }

  private async rejoin(): Promise<void> {
    this.stopHeartbeat();
    if (this.opts.autoCommit && this.generationIdValue >= 0) await this.commit().catch(() => undefined);
    this.positions.clear();
    this.committed.clear();
    this.assigned = [];
    const assigned = await this.joinAndSync();
    const committed = new Map<string, number>();
    if (assigned.length > 0) {
      for (const c of await this.admin.offsetFetch(this.groupId!, assigned)) committed.set(keyOf(c.topic, c.partition), c.offset);
    }
    await this.startAt(assigned, committed);
    this.needsAssignment = false;
    this.lastCommitMs = Date.now();
    this.startHeartbeat();
  }

  private async coordinatorId(): Promise<number> {
    this.coordinator ??= (await this.admin.findCoordinator(this.groupId!)).nodeId;
    return this.coordinator;
  }

  /** JoinGroup + SyncGroup until a generation is complete; returns the assigned partitions. */
  private async joinAndSync(): Promise<TopicPartition[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const join = await this.joinGroup();
        if (join === null) continue;
        this.assignedCounts = null;
        const assignment = await this.syncGroup(join.isLeader ? await this.assign(join.members) : []);
        if (assignment === null) continue;
        return assignment;
      } catch (err) {
        if (attempt >= JOIN_ATTEMPTS_MAX || !this.isRetriableGroupError(err)) throw err;
        await sleep(Math.min(1_000, 100 * attempt));
      }
    }
  }

  private isRetriableGroupError(err: unknown): boolean {
    if (err instanceof ConnectionError || err instanceof RequestTimeoutError) {
      this.coordinator = null;
      return true;
    }
    if (!(err instanceof BrokerError)) return false;
    if (isCoordinatorError(err.code)) this.coordinator = null;
    return isCoordinatorError(err.code) || err.code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || needsRejoin(err.code);
  }

  /** One JoinGroup; null when it must simply be sent again (new member id, rebalance moved on). */
  private async joinGroup(): Promise<{ isLeader: boolean; members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }> } | null> {
    const coordinator = await this.coordinatorId();
    const response = await this.client.send(
      coordinator,
      { request: JoinGroupRequest, response: JoinGroupResponse },
      {
        groupId: this.groupId!,
        sessionTimeoutMs: this.opts.sessionTimeoutMs,
        rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
        memberId: this.memberIdValue,
        groupInstanceId: this.groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeSubscription(this.topics) }],
        reason: null,
      },
      { timeoutMs: this.opts.rebalanceTimeoutMs + 5_000 },
    );
    if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberIdValue = response.memberId;
      return null;
    }
    if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberIdValue = '';
      return null;
    }
    throwIfError(response.errorCode, null, this.groupId);
    this.memberIdValue = response.memberId;
    this.generationIdValue = response.generationId;
    return { isLeader: response.leader === response.memberId, members: response.members };
  }

  /** The leader's job: the range assignment for every member, encoded for SyncGroup. */
  private async assign(members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>): Promise<Array<{ memberId: string; assignment: Buffer }>> {
    const subscribers = members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: decodeSubscription(m.metadata)?.topics ?? [] }));
    const topics = [...new Set(subscribers.flatMap((s) => s.topics))];
    const counts = new Map<string, number>();
    if (topics.length > 0) {
      for (const t of await this.client.refreshMetadata(topics)) if (t.errorCode === ErrorCode.NONE) counts.set(t.name, t.partitions.length);
    }
    this.assignedCounts = counts;
    const plan = rangeAssign(subscribers, counts);
    return subscribers.map((s) => ({ memberId: s.memberId, assignment: encodeAssignment(plan.get(s.memberId) ?? []) }));
  }

  private async syncGroup(assignments: Array<{ memberId: string; assignment: Buffer }>): Promise<TopicPartition[] | null> {
    const coordinator = await this.coordinatorId();
    const response = await this.client.send(
      coordinator,
      { request: SyncGroupRequest, response: SyncGroupResponse },
      {
        groupId: this.groupId!,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: this.groupInstanceId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: RANGE_ASSIGNOR,
        assignments,
      },
      { timeoutMs: this.opts.rebalanceTimeoutMs + 5_000 },
    );
    if (needsRejoin(response.errorCode)) {
      this.requestRejoin(response.errorCode);
      return null;
    }
    throwIfError(response.errorCode, null, this.groupId);
    const decoded = decodeAssignment(response.assignment);
    if (decoded === null) throw new BrokerError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'the assignment could not be decoded', this.groupId);
    const mine = new Set(this.topics);
    return decoded.assignedPartitions
      .filter((a) => mine.has(a.topic))
      .flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })))
      .sort(compareTopicPartitions);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.opts.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight || this.needsAssignment || this.closed) return;
    this.heartbeatInFlight = true;
    try {
      const response = await this.client.send(await this.coordinatorId(), { request: HeartbeatRequest, response: HeartbeatResponse }, {
        groupId: this.groupId!,
        generationId: this.generationIdValue,
        memberId: this.memberIdValue,
        groupInstanceId: this.groupInstanceId,
      });
      if (needsRejoin(response.errorCode)) this.requestRejoin(response.errorCode);
      else if (isCoordinatorError(response.errorCode)) this.coordinator = null;
      else if (response.errorCode === ErrorCode.FENCED_INSTANCE_ID) this.fatal = new BrokerError(response.errorCode, null, this.groupId);
    } catch {
      this.coordinator = null; // connection trouble: look the coordinator up again next time
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  private async leaveGroup(): Promise<void> {
    const response = await this.client.send(await this.coordinatorId(), { request: LeaveGroupRequest, response: LeaveGroupResponse }, {
      groupId: this.groupId!,
      memberId: this.memberIdValue,
      members: [{ memberId: this.memberIdValue, groupInstanceId: this.groupInstanceId, reason: 'the consumer is being closed' }],
    });
    this.memberIdValue = '';
    this.generationIdValue = -1;
    throwIfError(response.errorCode, null, this.groupId);
  }

  // ---- fetching ----

  private async fetchRound(): Promise<ConsumedRecord[]> {
    const byLeader = new Map<number, Position[]>();
    let unknownLeader = false;
    for (const p of this.positions.values()) {
      const leader = this.client.leaderOf(p.topic, p.partition);
      if (leader < 0) unknownLeader = true;
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), { ...p }]);
    }
    if (unknownLeader) await this.client.refreshMetadata(this.topics).catch(() => undefined);
    if (byLeader.size === 0) {
      await sleep(Math.min(this.opts.maxWaitMs, 100));
      return [];
    }
    const results = await Promise.allSettled([...byLeader].map(([leader, ps]) => this.fetchFrom(leader, ps)));
    const records: ConsumedRecord[] = [];
    let stale = false;
    for (const r of results) {
      if (r.status === 'fulfilled') {
        records.push(...r.value.records);
        stale ||= r.value.stale;
      } else if (r.reason instanceof ConnectionError || r.reason instanceof RequestTimeoutError) {
        stale = true;
      } else {
        throw r.reason;
      }
    }
    if (stale) await this.client.refreshMetadata(this.topics).catch(() => undefined);
    return records;
  }

  private async fetchFrom(leader: number, partitions: Position[]): Promise<{ records: ConsumedRecord[]; stale: boolean }> {
    const topicIds = new Map(partitions.map((p) => [p.topic, this.client.topic(p.topic)?.topicId ?? ZERO_UUID]));
    const haveIds = [...topicIds.values()].every((id) => id !== ZERO_UUID);
    const { version, response } = await this.client.request(
      leader,
      { request: FetchRequest, response: FetchResponse },
      {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1n },
        maxWaitMs: this.opts.maxWaitMs,
        minBytes: this.opts.minBytes,
        maxBytes: this.opts.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: groupByTopic(partitions).map(({ topic, partitions: ps }) => ({
          topic,
          topicId: topicIds.get(topic)!,
          partitions: ps.map((partition) => ({
            partition,
            currentLeaderEpoch: -1,
            fetchOffset: BigInt(partitions.find((p) => p.topic === topic && p.partition === partition)!.offset),
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: this.opts.partitionMaxBytes,
          })),
        })),
        forgottenTopicsData: [],
        rackId: '',
      },
      { maxVersion: haveIds ? undefined : FETCH_MAX_VERSION_WITHOUT_TOPIC_IDS, timeoutMs: this.opts.maxWaitMs + 30_000 },
    );
    throwIfError(response.errorCode, null, `fetch from broker ${leader}`);
    const records: ConsumedRecord[] = [];
    let stale = false;
    for (const t of response.responses) {
      const topic = version >= 13 ? (this.client.topicNameById(t.topicId) ?? t.topic) : t.topic;
      for (const p of t.partitions) {
        const fetched = partitions.find((x) => x.topic === topic && x.partition === p.partitionIndex);
        if (fetched === undefined) continue;
        stale ||= await this.applyPartition(fetched, p.errorCode, p.records, records);
      }
    }
    return { records, stale };
  }

  /** Applies one partition's answer; returns true when metadata should be refreshed. */
  private async applyPartition(fetched: Position, errorCode: number, data: Buffer | null, out: ConsumedRecord[]): Promise<boolean> {
    const key = keyOf(fetched.topic, fetched.partition);
    const current = this.positions.get(key);
    if (current === undefined || current.offset !== fetched.offset) return false; // reassigned or moved meanwhile
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
      await this.resetPosition(fetched);
      return false;
    }
    if (isStaleMetadataError(errorCode)) return true;
    throwIfError(errorCode, null, `${fetched.topic}-${fetched.partition}`);
    if (data === null || data.length === 0) return false;
    let next = fetched.offset;
    for (const batch of decodeRecordBatches(data)) {
      for (const r of batch.records) {
        if (r.offset < fetched.offset) continue;
        out.push({ topic: fetched.topic, partition: fetched.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
      }
      next = Math.max(next, batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
    }
    current.offset = next;
    return false;
  }
}
