// The consumer-group handlers over TCP with raw requests (generated codecs over the internal
// client's Connection), version by version: the wire layouts that differ between versions
// (FindCoordinator batching, JoinGroup MEMBER_ID_REQUIRED, LeaveGroup batches, OffsetFetch's
// top-level vs per-group errors) and the group lifecycle without needing Metadata/Produce/Fetch.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '../../broker/client/connection.js';
import { encodeSubscription } from '../../broker/coordinator/index.js';
import { createTopics } from '../../broker/metadata/controller.js';
import { ErrorCode } from '../../broker/protocol/errors.js';
import { DeleteGroupsRequest } from '../../broker/protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../broker/protocol/generated/delete-groups-response.js';
import { DescribeGroupsRequest } from '../../broker/protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../broker/protocol/generated/describe-groups-response.js';
import { FindCoordinatorRequest } from '../../broker/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../broker/protocol/generated/find-coordinator-response.js';
import { HeartbeatRequest } from '../../broker/protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../../broker/protocol/generated/heartbeat-response.js';
import { JoinGroupRequest } from '../../broker/protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../../broker/protocol/generated/join-group-response.js';
import { LeaveGroupRequest } from '../../broker/protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../../broker/protocol/generated/leave-group-response.js';
import { ListGroupsRequest } from '../../broker/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../broker/protocol/generated/list-groups-response.js';
import { OffsetCommitRequest } from '../../broker/protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../broker/protocol/generated/offset-commit-response.js';
import { OffsetDeleteRequest } from '../../broker/protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../broker/protocol/generated/offset-delete-response.js';
import { OffsetFetchRequest } from '../../broker/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../broker/protocol/generated/offset-fetch-response.js';
import { SyncGroupRequest } from '../../broker/protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../../broker/protocol/generated/sync-group-response.js';
import type { Broker } from '../../broker/server/broker.js';
import { startTestBroker, type TestBroker } from '../helpers/in-process-broker.js';

const TOPIC = 'orders';
const SESSION_TIMEOUT_MS = 10_000;

async function createTopic(broker: Broker, name: string, numPartitions: number): Promise<void> {
  const [result] = await broker.runController((image) =>
    createTopics(image, [{ name, numPartitions, replicationFactor: 1 }], broker.controllerContext()),
  );
  if (result?.errorCode !== ErrorCode.NONE) throw new Error(`cannot create ${name}: ${result?.errorMessage}`);
}

function connect(tb: TestBroker, clientId: string): Promise<Connection> {
  return Connection.connect({ host: '127.0.0.1', port: tb.port, clientId, requestTimeoutMs: 10_000 });
}

async function withBroker(
  fn: (tb: TestBroker, conns: Connection[]) => Promise<void>,
  options: { dataDir?: string; overrides?: string[] } = {},
): Promise<void> {
  const tb = await startTestBroker(options);
  const conns: Connection[] = [];
  try {
    await createTopic(tb.broker, TOPIC, 6).catch(() => undefined);
    await fn(tb, conns);
  } finally {
    for (const c of conns) c.close();
    await tb.stop();
  }
}

function joinGroup(conn: Connection, version: number, groupId: string, memberId: string, sessionTimeoutMs = SESSION_TIMEOUT_MS) {
  return conn.send(JoinGroupRequest, JoinGroupResponse, version, {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: SESSION_TIMEOUT_MS,
    memberId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription([TOPIC]) }],
  });
}

test('FindCoordinator names this node for groups in v0-v3 and batched v4+, and refuses transaction and share keys', async (t) => {
  await withBroker(async (tb, conns) => {
    const conn = await connect(tb, 'finder');
    conns.push(conn);
    for (const version of [0, 1, 3]) {
      const res = await conn.send(FindCoordinatorRequest, FindCoordinatorResponse, version, { key: 'g', keyType: 0 });
      t.is(res.errorCode, ErrorCode.NONE, `v${version}`);
      t.is(res.nodeId, tb.broker.nodeId);
      t.is(res.port, tb.port);
      t.is(res.host, '127.0.0.1');
    }
    const single = await conn.send(FindCoordinatorRequest, FindCoordinatorResponse, 3, { key: 'txn', keyType: 1 });
    t.is(single.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    t.is(single.nodeId, -1);

    const batched = await conn.send(FindCoordinatorRequest, FindCoordinatorResponse, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    t.deepEqual(batched.coordinators.map((c) => [c.key, c.nodeId, c.port, c.errorCode]), [
      ['a', tb.broker.nodeId, tb.port, ErrorCode.NONE],
      ['b', tb.broker.nodeId, tb.port, ErrorCode.NONE],
    ]);
    const txn = await conn.send(FindCoordinatorRequest, FindCoordinatorResponse, 5, { keyType: 1, coordinatorKeys: ['t'] });
    t.is(txn.coordinators[0]?.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    t.truthy(txn.coordinators[0]?.errorMessage);
    const share = await conn.send(FindCoordinatorRequest, FindCoordinatorResponse, 6, { keyType: 2, coordinatorKeys: ['s'] });
    t.is(share.coordinators[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  });
});

test('JoinGroup v0-v3 admits a new member at once; v4+ first answers MEMBER_ID_REQUIRED with the id to use', async (t) => {
  await withBroker(async (tb, conns) => {
    const conn = await connect(tb, 'joiner');
    conns.push(conn);
    const old = await joinGroup(conn, 0, 'g-old', '');
    t.is(old.errorCode, ErrorCode.NONE);
    t.is(old.generationId, 1);
    t.is(old.protocolName, 'range');
    t.is(old.leader, old.memberId);
    t.true(old.memberId.startsWith('joiner-'));
    t.is(old.members.length, 1);

    const first = await joinGroup(conn, 5, 'g-new', '');
    t.is(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    t.true(first.memberId.startsWith('joiner-'));
    const second = await joinGroup(conn, 7, 'g-new', first.memberId);
    t.is(second.errorCode, ErrorCode.NONE);
    t.is(second.protocolType, 'consumer');
    t.is(second.memberId, first.memberId);

    const failed = await joinGroup(conn, 6, 'g-new', 'nobody');
    t.is(failed.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    t.is(failed.protocolName, '', 'protocolName is not nullable before v7');
  });
});

interface TwoMembers { group: string; idA: string; idB: string }

/**
 * Forms generation 2 of `group` with members a (leader) and b: a joins alone (generation 1), b's
 * join triggers a rebalance that a learns of from its heartbeat, then the leader's SyncGroup
 * hands b its assignment. Asserts every step on the way.
 */
async function formGroupOfTwo(t: ExecutionContext, a: Connection, b: Connection, group: string): Promise<TwoMembers> {
  const idA = (await joinGroup(a, 5, group, '')).memberId;
  const gen1 = await joinGroup(a, 5, group, idA);
  t.is(gen1.generationId, 1);
  const sync1 = await a.send(SyncGroupRequest, SyncGroupResponse, 3, {
    groupId: group, generationId: 1, memberId: idA, assignments: [{ memberId: idA, assignment: Buffer.from('all') }],
  });
  t.is(sync1.errorCode, ErrorCode.NONE);
  t.deepEqual(sync1.assignment, Buffer.from('all'));

  const idB = (await joinGroup(b, 5, group, '')).memberId;
  const parkedJoinB = joinGroup(b, 5, group, idB);
  const hb = await a.send(HeartbeatRequest, HeartbeatResponse, 4, { groupId: group, generationId: 1, memberId: idA });
  t.is(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'the old member learns of the rebalance from its heartbeat');
  const [gen2A, gen2B] = await Promise.all([joinGroup(a, 5, group, idA), parkedJoinB]);
  t.is(gen2A.generationId, 2);
  t.is(gen2B.generationId, 2);
  t.is(gen2A.leader, idA);
  t.is(gen2A.members.length, 2, 'the leader sees every member');
  t.is(gen2B.members.length, 0);

  const parkedSyncB = b.send(SyncGroupRequest, SyncGroupResponse, 5, {
    groupId: group, generationId: 2, memberId: idB, protocolType: 'consumer', protocolName: 'range', assignments: [],
  });
  const syncA = await a.send(SyncGroupRequest, SyncGroupResponse, 5, {
    groupId: group, generationId: 2, memberId: idA, protocolType: 'consumer', protocolName: 'range',
    assignments: [{ memberId: idA, assignment: Buffer.from('p0-2') }, { memberId: idB, assignment: Buffer.from('p3-5') }],
  });
  const syncB = await parkedSyncB;
  t.is(syncA.errorCode, ErrorCode.NONE);
  t.is(syncA.protocolName, 'range');
  t.deepEqual(syncB.assignment, Buffer.from('p3-5'));
  t.is((await b.send(HeartbeatRequest, HeartbeatResponse, 0, { groupId: group, generationId: 2, memberId: idB })).errorCode, ErrorCode.NONE);
  return { group, idA, idB };
}

test('two members rebalance through JoinGroup/SyncGroup/Heartbeat: the old member rejoins, the leader assigns, the follower receives its share', async (t) => {
  await withBroker(async (tb, conns) => {
    const [a, b] = await Promise.all([connect(tb, 'member-a'), connect(tb, 'member-b')]);
    conns.push(a!, b!);
    await formGroupOfTwo(t, a!, b!, 'g-rebalance');
  });
});

test('OffsetCommit answers per partition (missing topic or partition, stale generation, inexact offset) and OffsetFetch answers in the v1, v2-7 and v8+ layouts', async (t) => {
  await withBroker(async (tb, conns) => {
    const [a, b, admin] = await Promise.all([connect(tb, 'member-a'), connect(tb, 'member-b'), connect(tb, 'admin')]);
    conns.push(a!, b!, admin!);
    const { group, idA, idB } = await formGroupOfTwo(t, a!, b!, 'g-offsets');
    // OffsetCommit: good partitions, a missing topic, a missing partition, a stale generation, an inexact offset.
    const commit = await a!.send(OffsetCommitRequest, OffsetCommitResponse, 8, {
      groupId: group, generationIdOrMemberEpoch: 2, memberId: idA,
      topics: [
        { name: TOPIC, partitions: [
          { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: 0, committedMetadata: 'm0' },
          { partitionIndex: 1, committedOffset: 2n ** 60n, committedMetadata: null },
          { partitionIndex: 4, committedOffset: 40n, committedMetadata: null },
          { partitionIndex: 99, committedOffset: 1n, committedMetadata: null },
        ] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 5n }] },
      ],
    });
    t.deepEqual(commit.topics.map((topic) => [topic.name, topic.partitions.map((p) => [p.partitionIndex, p.errorCode])]), [
      [TOPIC, [[0, ErrorCode.NONE], [1, ErrorCode.OFFSET_OUT_OF_RANGE], [4, ErrorCode.NONE], [99, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ['no-such-topic', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
    const stale = await b!.send(OffsetCommitRequest, OffsetCommitResponse, 2, {
      groupId: group, generationIdOrMemberEpoch: 1, memberId: idB, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 3, committedOffset: 1n }] }],
    });
    t.is(stale.topics[0]?.partitions[0]?.errorCode, ErrorCode.ILLEGAL_GENERATION);

    // OffsetFetch layouts: v1 explicit partitions, v2-7 top-level error and null = all, v8+ batched groups.
    const v1 = await admin!.send(OffsetFetchRequest, OffsetFetchResponse, 1, { groupId: group, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] });
    t.deepEqual(v1.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]), [
      [0, 10n, 'm0', ErrorCode.NONE],
      [1, -1n, '', ErrorCode.NONE],
    ]);
    const v7 = await admin!.send(OffsetFetchRequest, OffsetFetchResponse, 7, { groupId: group, topics: null, requireStable: true });
    t.is(v7.errorCode, ErrorCode.NONE);
    t.deepEqual(v7.topics.flatMap((topic) => topic.partitions.map((p) => [topic.name, p.partitionIndex, p.committedOffset, p.committedLeaderEpoch])), [
      [TOPIC, 0, 10n, 0],
      [TOPIC, 4, 40n, -1],
    ]);
    const v8 = await admin!.send(OffsetFetchRequest, OffsetFetchResponse, 8, {
      groups: [{ groupId: group, topics: [{ name: TOPIC, partitionIndexes: [4] }] }, { groupId: 'unknown-group', topics: null }],
    });
    t.deepEqual(v8.groups.map((g) => [g.groupId, g.errorCode, g.topics.flatMap((topic) => topic.partitions.map((p) => p.committedOffset))]), [
      [group, ErrorCode.NONE, [40n]],
      ['unknown-group', ErrorCode.NONE, []],
    ]);
    const v9 = await admin!.send(OffsetFetchRequest, OffsetFetchResponse, 9, {
      groups: [{ groupId: group, memberId: idA, memberEpoch: 2, topics: null }],
    });
    t.is(v9.groups[0]?.topics[0]?.partitions.length, 2, 'v9 member id and epoch are accepted for a classic group');
  });
});

test('DescribeGroups and ListGroups show a live group, LeaveGroup answers in the v0-2 and v3+ layouts, and DeleteGroups removes the group once empty', async (t) => {
  await withBroker(async (tb, conns) => {
    const [a, b, admin] = await Promise.all([connect(tb, 'member-a'), connect(tb, 'member-b'), connect(tb, 'admin')]);
    conns.push(a!, b!, admin!);
    const { group, idA, idB } = await formGroupOfTwo(t, a!, b!, 'g-admin');
    // Admin views of the live group.
    const described = await admin!.send(DescribeGroupsRequest, DescribeGroupsResponse, 5, { groups: [group, 'ghost'], includeAuthorizedOperations: true });
    const [live, ghost] = described.groups;
    t.is(live?.groupState, 'Stable');
    t.is(live?.protocolType, 'consumer');
    t.is(live?.protocolData, 'range');
    t.deepEqual(live?.members.map((m) => [m.clientId, m.clientHost]).sort(), [['member-a', '/127.0.0.1'], ['member-b', '/127.0.0.1']]);
    t.not(live?.authorizedOperations, -2147483648);
    t.is(ghost?.groupState, 'Dead');
    const listed = await admin!.send(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: ['stable'], typesFilter: ['Classic'] });
    t.deepEqual(listed.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]), [[group, 'consumer', 'Stable', 'classic']]);
    const listedEmpty = await admin!.send(ListGroupsRequest, ListGroupsResponse, 4, { statesFilter: ['Empty'] });
    t.false(listedEmpty.groups.some((g) => g.groupId === group));
    t.true((await admin!.send(ListGroupsRequest, ListGroupsResponse, 0, {})).groups.some((g) => g.groupId === group));

    const nonEmpty = await admin!.send(DeleteGroupsRequest, DeleteGroupsResponse, 2, { groupsNames: [group] });
    t.is(nonEmpty.results[0]?.errorCode, ErrorCode.NON_EMPTY_GROUP);

    // LeaveGroup: v0 single member with a top-level error, v3+ batch with per-member errors.
    const leaveB = await b!.send(LeaveGroupRequest, LeaveGroupResponse, 0, { groupId: group, memberId: idB });
    t.is(leaveB.errorCode, ErrorCode.NONE);
    const leaveA = await a!.send(LeaveGroupRequest, LeaveGroupResponse, 5, {
      groupId: group, members: [{ memberId: idA, groupInstanceId: null, reason: 'done' }, { memberId: 'stranger', groupInstanceId: null }],
    });
    t.is(leaveA.errorCode, ErrorCode.NONE);
    t.deepEqual(leaveA.members.map((m) => [m.memberId, m.errorCode]), [[idA, ErrorCode.NONE], ['stranger', ErrorCode.UNKNOWN_MEMBER_ID]]);
    const leaveAgain = await a!.send(LeaveGroupRequest, LeaveGroupResponse, 1, { groupId: group, memberId: idA });
    t.is(leaveAgain.errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'v0-2 report the member error at the top level');

    const deleted = await admin!.send(DeleteGroupsRequest, DeleteGroupsResponse, 0, { groupsNames: [group, 'ghost'] });
    t.deepEqual(deleted.results.map((r) => [r.groupId, r.errorCode]), [[group, ErrorCode.NONE], ['ghost', ErrorCode.GROUP_ID_NOT_FOUND]]);
    const afterDelete = await admin!.send(OffsetFetchRequest, OffsetFetchResponse, 6, { groupId: group, topics: null });
    t.deepEqual(afterDelete.topics, [], 'deleting the group deleted its offsets');
  });
});


test('a member that vanishes without LeaveGroup is expired by its session timeout and the survivor rebalances alone', async (t) => {
  await withBroker(async (tb, conns) => {
    const [a, b] = await Promise.all([connect(tb, 'survivor'), connect(tb, 'vanisher')]);
    conns.push(a!, b!);
    const group = 'g-expiry';
    const sessionMs = 1_000;
    const gen1 = await joinGroup(a!, 2, group, '', sessionMs);
    t.is(gen1.generationId, 1);
    await a!.send(SyncGroupRequest, SyncGroupResponse, 2, { groupId: group, generationId: 1, memberId: gen1.memberId, assignments: [] });
    const parkedB = joinGroup(b!, 2, group, '', sessionMs);
    const [gen2A, gen2B] = await Promise.all([joinGroup(a!, 2, group, gen1.memberId, sessionMs), parkedB]);
    t.is(gen2A.generationId, 2);
    const syncB = b!.send(SyncGroupRequest, SyncGroupResponse, 2, { groupId: group, generationId: 2, memberId: gen2B.memberId, assignments: [] });
    await a!.send(SyncGroupRequest, SyncGroupResponse, 2, { groupId: group, generationId: 2, memberId: gen1.memberId, assignments: [] });
    await syncB;
    b!.close(); // no LeaveGroup: only the session timeout can remove it

    const heartbeatError = async (): Promise<number> =>
      (await a!.send(HeartbeatRequest, HeartbeatResponse, 2, { groupId: group, generationId: 2, memberId: gen1.memberId })).errorCode;
    const startedMs = Date.now();
    let error = await heartbeatError();
    while (error === ErrorCode.NONE && Date.now() - startedMs < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      error = await heartbeatError();
    }
    t.is(error, ErrorCode.REBALANCE_IN_PROGRESS);
    t.true(Date.now() - startedMs >= sessionMs - 100, 'not before the session timeout');
    const gen3 = await joinGroup(a!, 2, group, gen1.memberId, sessionMs);
    t.is(gen3.generationId, 3);
    t.deepEqual(gen3.members.map((m) => m.memberId), [gen1.memberId], 'the vanished member is gone');
  }, { overrides: ['group.min.session.timeout.ms=500'] });
});

test('a standalone consumer commits with generation -1, OffsetDelete removes offsets, and unknown topics are refused', async (t) => {
  await withBroker(async (tb, conns) => {
    const conn = await connect(tb, 'standalone');
    conns.push(conn);
    const commit = await conn.send(OffsetCommitRequest, OffsetCommitResponse, 9, {
      groupId: 'simple', generationIdOrMemberEpoch: -1, memberId: '',
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2, committedOffset: 7n }, { partitionIndex: 3, committedOffset: 8n }] }],
    });
    t.deepEqual(commit.topics[0]?.partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
    const wrongGen = await conn.send(OffsetCommitRequest, OffsetCommitResponse, 9, {
      groupId: 'absent', generationIdOrMemberEpoch: 3, memberId: 'm', topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
    });
    t.is(wrongGen.topics[0]?.partitions[0]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND, 'v9 answers an unknown group with GROUP_ID_NOT_FOUND');

    const del = await conn.send(OffsetDeleteRequest, OffsetDeleteResponse, 0, {
      groupId: 'simple',
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 2 }] }, { name: 'gone', partitions: [{ partitionIndex: 0 }] }],
    });
    t.is(del.errorCode, ErrorCode.NONE);
    t.deepEqual(del.topics.map((topic) => [topic.name, topic.partitions.map((p) => p.errorCode)]), [
      [TOPIC, [ErrorCode.NONE]],
      ['gone', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    ]);
    const fetched = await conn.send(OffsetFetchRequest, OffsetFetchResponse, 3, { groupId: 'simple', topics: [{ name: TOPIC, partitionIndexes: [2, 3] }] });
    t.deepEqual(fetched.topics[0]?.partitions.map((p) => p.committedOffset), [-1n, 8n]);
    const missing = await conn.send(OffsetDeleteRequest, OffsetDeleteResponse, 0, { groupId: 'nobody', topics: [] });
    t.is(missing.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

test('committed offsets survive a broker restart on the same data directory (replayed from __consumer_offsets)', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-group-restart-'));
  try {
    await withBroker(async (tb, conns) => {
      const conn = await connect(tb, 'before');
      conns.push(conn);
      const commit = await conn.send(OffsetCommitRequest, OffsetCommitResponse, 7, {
        groupId: 'durable', generationIdOrMemberEpoch: -1, memberId: '',
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 5, committedOffset: 123n, committedLeaderEpoch: 0, committedMetadata: 'kept' }] }],
      });
      t.is(commit.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
    }, { dataDir });
    await withBroker(async (tb, conns) => {
      const conn = await connect(tb, 'after');
      conns.push(conn);
      const fetched = await conn.send(OffsetFetchRequest, OffsetFetchResponse, 8, { groups: [{ groupId: 'durable', topics: null }] });
      t.deepEqual(fetched.groups[0]?.topics.map((topic) => [topic.name, topic.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])]), [
        [TOPIC, [[5, 123n, 'kept']]],
      ]);
    }, { dataDir });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
