// Drives the pure GroupCoordinator: hands it requests with `nowMs`, appends the records it emits
// to `__consumer_offsets` (before answering, so an acknowledged commit survives a crash once
// flushed), resolves the parked requests it answers, and arms its next deadline. On start it
// replays every `__consumer_offsets` partition into a fresh coordinator.
import { GroupCoordinator, decodeKey, partitionFor } from '../coordinator/index.js';
import type { GroupInput, ResponseByKind, ResponseKind, CoordinatorRecord } from '../coordinator/types.js';
import { validateBatches } from '../protocol/record-batch.js';
import { decodeRecordBatches, encodeRecordBatch } from '../protocol/records.js';
import type { Timer } from '../io/clock.js';
import type { Broker } from './broker.js';
import { OFFSETS_TOPIC } from './broker.js';

type Input = GroupInput extends infer T ? (T extends { requestId: number } ? Omit<T, 'requestId'> : never) : never;

export interface GroupService {
  call<K extends ResponseKind>(input: Input & { kind: K }): Promise<ResponseByKind[K]>;
  partitionFor(groupId: string): number;
  coordinator: GroupCoordinator;
  close(): void;
}

export function loadedGroupCoordinator(broker: Broker): GroupService {
  const config = broker.config;
  const coordinator = new GroupCoordinator(
    {
      randomUuid: () => uuidString(broker.random.bytes(16)),
      partitionExists: (topic, partition) => broker.image.topicsByName.get(topic)?.partitions[partition] !== undefined,
    },
    {
      groupMinSessionTimeoutMs: config.groupMinSessionTimeoutMs,
      groupMaxSessionTimeoutMs: config.groupMaxSessionTimeoutMs,
      groupInitialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      groupMaxSize: config.groupMaxSize,
      offsetsRetentionMs: config.offsetsRetentionMs,
      offsetsRetentionCheckIntervalMs: config.offsetsRetentionCheckIntervalMs,
      offsetMetadataMaxBytes: config.offsetMetadataMaxBytes,
    },
  );
  const numPartitions = broker.image.topicsByName.get(OFFSETS_TOPIC)?.partitions.length ?? config.offsetsTopicNumPartitions;
  replayOffsetsTopic(broker, coordinator, numPartitions);

  const pending = new Map<number, (response: unknown) => void>();
  let nextRequestId = 1;
  let timer: Timer | null = null;
  let timerAtMs = Infinity;
  let closed = false;

  const run = (input: GroupInput): void => {
    const nowMs = broker.clock.nowMs();
    const out = coordinator.handle(input, nowMs);
    persist(broker, out.records, numPartitions);
    for (const r of out.responses) {
      const resolve = pending.get(r.requestId);
      if (resolve) {
        pending.delete(r.requestId);
        resolve(r.response);
      }
    }
    arm(out.nextDeadlineMs, nowMs);
  };

  const arm = (deadlineMs: number | null, nowMs: number): void => {
    if (closed || deadlineMs === null) return;
    if (timer && deadlineMs >= timerAtMs) return;
    timer?.cancel();
    timerAtMs = deadlineMs;
    timer = broker.clock.setTimer(Math.max(0, deadlineMs - nowMs), () => {
      timer = null;
      timerAtMs = Infinity;
      run({ kind: 'tick' });
    });
  };

  return {
    coordinator,
    partitionFor: (groupId) => partitionFor(groupId, numPartitions),
    call<K extends ResponseKind>(input: Input & { kind: K }): Promise<ResponseByKind[K]> {
      const requestId = nextRequestId++;
      return new Promise((resolve) => {
        pending.set(requestId, resolve as (r: unknown) => void);
        run({ ...input, requestId } as GroupInput);
      });
    },
    close() {
      closed = true;
      timer?.cancel();
    },
  };
}

function persist(broker: Broker, records: readonly CoordinatorRecord[], numPartitions: number): void {
  if (records.length === 0) return;
  const byPartition = new Map<number, CoordinatorRecord[]>();
  for (const record of records) {
    const key = decodeKey(record.key);
    if (key.type === 'unknown') throw new Error('assertion failed: coordinator emitted a record with an unknown key');
    const p = partitionFor(key.group, numPartitions);
    let list = byPartition.get(p);
    if (!list) byPartition.set(p, (list = []));
    list.push(record);
  }
  const nowMs = broker.clock.nowMs();
  for (const [partition, list] of byPartition) {
    const log = broker.logs.get(OFFSETS_TOPIC, partition);
    if (!log) throw new Error(`assertion failed: ${OFFSETS_TOPIC}-${partition} has no local log`);
    const batch = encodeRecordBatch({ records: list.map((r) => ({ key: r.key, value: r.value })), nowMs });
    const validated = validateBatches(batch, { maxBatchBytes: Number.MAX_SAFE_INTEGER });
    if (!validated.ok) throw new Error(`assertion failed: coordinator batch invalid: ${validated.message}`);
    const result = log.appendAsLeader(batch, validated.batches, { leaderEpoch: broker.leaderEpochOf(OFFSETS_TOPIC, partition), nowMs });
    if (result.kind === 'error') {
      broker.logger.error(`cannot write to ${OFFSETS_TOPIC}-${partition}: ${result.message}; group state changes may be lost on restart`);
      continue;
    }
    broker.onAppended(log, batch.length);
  }
}

function replayOffsetsTopic(broker: Broker, coordinator: GroupCoordinator, numPartitions: number): void {
  let replayed = 0;
  for (let partition = 0; partition < numPartitions; partition++) {
    const log = broker.logs.get(OFFSETS_TOPIC, partition);
    if (!log) continue;
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const read = log.read({ fetchOffset: offset, maxBytes: 4 * 1024 * 1024, minOneBatch: true });
      if (read.kind === 'error') {
        broker.logger.error(`cannot replay ${OFFSETS_TOPIC}-${partition} at offset ${offset}: ${read.message}; groups on it start from what was read so far`);
        break;
      }
      if (read.nextOffset <= offset) break;
      for (const batch of decodeRecordBatches(read.records)) {
        for (const record of batch.records) {
          if (record.offset < offset || record.key === null) continue;
          coordinator.replay(record.key, record.value);
          replayed++;
        }
      }
      offset = read.nextOffset;
    }
  }
  if (replayed > 0) broker.logger.info(`loaded ${replayed} group and offset records from ${OFFSETS_TOPIC}`);
}

function uuidString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
