/**
 * Domain inputs and outputs of the classic group coordinator.
 *
 * The request/response shapes mirror Kafka's JSON schemas (field names in camelCase, newest
 * version's fields). A thin handler layer maps wire messages of every version onto these and back;
 * the few version-dependent behaviours (JoinGroup v4+ MEMBER_ID_REQUIRED, JoinGroup v9
 * skipAssignment, LeaveGroup v3+ batches, OffsetCommit v9 GROUP_ID_NOT_FOUND) are decided here
 * from `apiVersion`. Offsets and timestamps are `number` (exact up to 2^53); the handler converts
 * the wire's bigint.
 */

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

// ---- JoinGroup (api key 11) ----
export interface JoinGroupRequestProtocol { name: string; metadata: Buffer }
export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0) means "same as sessionTimeoutMs". */
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  reason: string | null;
}
export interface JoinGroupResponseMember { memberId: string; groupInstanceId: string | null; metadata: Buffer }
export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  /** null on errors; the handler writes "" for versions where the field is not nullable. */
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupResponseMember[];
}

// ---- SyncGroup (14) ----
export interface SyncGroupRequestAssignment { memberId: string; assignment: Buffer }
export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** null (versions < 5) skips the check. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: SyncGroupRequestAssignment[];
}
export interface SyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

// ---- Heartbeat (12) ----
export interface HeartbeatRequest { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }
export interface HeartbeatResponse { errorCode: number }

// ---- LeaveGroup (13) ----
export interface LeaveGroupMemberIdentity { memberId: string; groupInstanceId: string | null; reason: string | null }
export interface LeaveGroupRequest {
  groupId: string;
  /** Versions 0-2: the single leaving member. Ignored for v3+. */
  memberId: string;
  /** Versions 3+: the leaving members. */
  members: LeaveGroupMemberIdentity[];
}
export interface LeaveGroupMemberResponse { memberId: string; groupInstanceId: string | null; errorCode: number }
export interface LeaveGroupResponse { errorCode: number; members: LeaveGroupMemberResponse[] }

// ---- OffsetCommit (8) ----
export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}
export interface OffsetCommitRequestTopic { name: string; partitions: OffsetCommitRequestPartition[] }
export interface OffsetCommitRequest {
  groupId: string;
  /** -1 for a standalone (simple) consumer, allowed only when the group is empty or absent. */
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: OffsetCommitRequestTopic[];
}
export interface OffsetCommitResponsePartition { partitionIndex: number; errorCode: number }
export interface OffsetCommitResponseTopic { name: string; partitions: OffsetCommitResponsePartition[] }
export interface OffsetCommitResponse { topics: OffsetCommitResponseTopic[] }

// ---- OffsetFetch (9), v8+ shape; the handler wraps v0-7 as one group ----
export interface OffsetFetchRequestTopics { name: string; partitionIndexes: number[] }
export interface OffsetFetchRequestGroup {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
  /** null = every committed offset of the group. */
  topics: OffsetFetchRequestTopics[] | null;
}
export interface OffsetFetchRequest { groups: OffsetFetchRequestGroup[]; requireStable: boolean }
export interface OffsetFetchResponsePartitions {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}
export interface OffsetFetchResponseTopics { name: string; partitions: OffsetFetchResponsePartitions[] }
export interface OffsetFetchResponseGroup { groupId: string; topics: OffsetFetchResponseTopics[]; errorCode: number }
export interface OffsetFetchResponse { groups: OffsetFetchResponseGroup[] }

// ---- ListGroups (16) ----
export interface ListGroupsRequest { statesFilter: string[]; typesFilter: string[] }
export interface ListedGroup { groupId: string; protocolType: string; groupState: string; groupType: string }
export interface ListGroupsResponse { errorCode: number; groups: ListedGroup[] }

// ---- DescribeGroups (15) ----
export interface DescribeGroupsRequest { groups: string[]; includeAuthorizedOperations: boolean }
export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}
export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
  authorizedOperations: number;
}
export interface DescribeGroupsResponse { groups: DescribedGroup[] }

// ---- DeleteGroups (42) ----
export interface DeleteGroupsRequest { groupsNames: string[] }
export interface DeletableGroupResult { groupId: string; errorCode: number }
export interface DeleteGroupsResponse { results: DeletableGroupResult[] }

// ---- OffsetDelete (47) ----
export interface OffsetDeleteRequestTopic { name: string; partitions: Array<{ partitionIndex: number }> }
export interface OffsetDeleteRequest { groupId: string; topics: OffsetDeleteRequestTopic[] }
export interface OffsetDeleteResponsePartition { partitionIndex: number; errorCode: number }
export interface OffsetDeleteResponseTopic { name: string; partitions: OffsetDeleteResponsePartition[] }
export interface OffsetDeleteResponse { errorCode: number; topics: OffsetDeleteResponseTopic[] }

// ---- step input / output ----
export type RequestId = number;

interface RequestInput { requestId: RequestId; apiVersion: number }

export type GroupInput =
  | (RequestInput & { kind: 'join'; clientId: string; clientHost: string; req: JoinGroupRequest })
  | (RequestInput & { kind: 'sync'; req: SyncGroupRequest })
  | (RequestInput & { kind: 'heartbeat'; req: HeartbeatRequest })
  | (RequestInput & { kind: 'leave'; req: LeaveGroupRequest })
  | (RequestInput & { kind: 'offsetCommit'; req: OffsetCommitRequest })
  | (RequestInput & { kind: 'offsetFetch'; req: OffsetFetchRequest })
  | (RequestInput & { kind: 'listGroups'; req: ListGroupsRequest })
  | (RequestInput & { kind: 'describeGroups'; req: DescribeGroupsRequest })
  | (RequestInput & { kind: 'deleteGroups'; req: DeleteGroupsRequest })
  | (RequestInput & { kind: 'offsetDelete'; req: OffsetDeleteRequest })
  | { kind: 'tick' };

export interface ResponseByKind {
  join: JoinGroupResponse;
  sync: SyncGroupResponse;
  heartbeat: HeartbeatResponse;
  leave: LeaveGroupResponse;
  offsetCommit: OffsetCommitResponse;
  offsetFetch: OffsetFetchResponse;
  listGroups: ListGroupsResponse;
  describeGroups: DescribeGroupsResponse;
  deleteGroups: DeleteGroupsResponse;
  offsetDelete: OffsetDeleteResponse;
}
export type ResponseKind = keyof ResponseByKind;

/** One answer; `requestId` may belong to a request handed in by an earlier `handle()` call. */
export type GroupResponse = {
  [K in ResponseKind]: { requestId: RequestId; kind: K; response: ResponseByKind[K] }
}[ResponseKind];

/** A record for the `__consumer_offsets` partition; `value: null` is a tombstone. */
export interface CoordinatorRecord { key: Buffer; value: Buffer | null }

/**
 * What one `handle()` produced. The driver must append `records` (in order) to the group's
 * `__consumer_offsets` partition and only then send `responses`; it calls `handle({kind:'tick'})`
 * no later than `nextDeadlineMs` (null = no timer needed).
 */
export interface GroupOutput {
  responses: GroupResponse[];
  records: CoordinatorRecord[];
  nextDeadlineMs: number | null;
}

/** Kafka's broker keys, in milliseconds. */
export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** Kafka's fixed 5 minutes a brand-new member may wait in a join before it is dropped. */
  newMemberJoinTimeoutMs: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = Object.freeze({
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  groupMaxSize: 2_147_483_647,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4_096,
  newMemberJoinTimeoutMs: 300_000,
});

export interface GroupCoordinatorDeps {
  /** Source of the uuid part of generated member ids (inject a seeded one in tests). */
  randomUuid: () => string;
  /** Whether a topic partition exists; commits to others get UNKNOWN_TOPIC_OR_PARTITION. Default: all exist. */
  partitionExists?: (topic: string, partition: number) => boolean;
}
