// Record batch v2 bytes for storage tests: a valid header and CRC around opaque record bytes
// (storage never opens records), and the per-batch facts the produce path hands to
// `Log.appendAsLeader`. The CRC is computed here, not with record-batch.ts, so storage tests do
// not trust the code that storage itself calls.
import { crc32c } from '@node-rs/crc32';
import {
  ATTRIBUTES_OFFSET, BASE_OFFSET_OFFSET, BASE_SEQUENCE_OFFSET, BASE_TIMESTAMP_OFFSET, BATCH_LENGTH_OFFSET, BATCH_OVERHEAD, CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MAGIC_V2, MAX_TIMESTAMP_OFFSET, PARTITION_LEADER_EPOCH_OFFSET, PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET, RECORDS_COUNT_OFFSET,
} from '../../broker/protocol/record-batch.js';
import type { AppendBatchInfo } from '../../broker/storage/log.js';

export interface BatchSpec {
  /** recordCount (and lastOffsetDelta + 1); default 1. */
  records?: number;
  /** The record bytes, opaque to storage; default 20 bytes of 7. */
  payload?: Buffer | string;
  /** Base and max timestamp; default 1000. */
  timestamp?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
}

/** One batch at base offset 0, leader epoch -1, CreateTime, no compression, with a valid CRC. */
export function makeBatch(spec: BatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(20, 7));
  const buf = Buffer.alloc(BATCH_OVERHEAD + payload.length);
  const ts = BigInt(spec.timestamp ?? 1_000);
  buf.writeBigInt64BE(0n, BASE_OFFSET_OFFSET);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  buf.writeInt32BE(-1, PARTITION_LEADER_EPOCH_OFFSET);
  buf.writeInt8(MAGIC_V2, MAGIC_OFFSET);
  buf.writeInt16BE(0, ATTRIBUTES_OFFSET);
  buf.writeInt32BE(records - 1, LAST_OFFSET_DELTA_OFFSET);
  buf.writeBigInt64BE(ts, BASE_TIMESTAMP_OFFSET);
  buf.writeBigInt64BE(ts, MAX_TIMESTAMP_OFFSET);
  buf.writeBigInt64BE(BigInt(spec.producerId ?? -1), PRODUCER_ID_OFFSET);
  buf.writeInt16BE(spec.producerEpoch ?? -1, PRODUCER_EPOCH_OFFSET);
  buf.writeInt32BE(spec.baseSequence ?? -1, BASE_SEQUENCE_OFFSET);
  buf.writeInt32BE(records, RECORDS_COUNT_OFFSET);
  payload.copy(buf, BATCH_OVERHEAD);
  buf.writeUInt32BE(crc32c(buf.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return buf;
}

/** Concatenates batches and describes them as the produce path would. */
export function produce(...batches: Buffer[]): { records: Buffer; infos: AppendBatchInfo[] } {
  const infos: AppendBatchInfo[] = [];
  let position = 0;
  for (const b of batches) {
    infos.push({
      position,
      size: b.length,
      lastOffsetDelta: b.readInt32BE(LAST_OFFSET_DELTA_OFFSET),
      maxTimestamp: Number(b.readBigInt64BE(MAX_TIMESTAMP_OFFSET)),
      producerId: Number(b.readBigInt64BE(PRODUCER_ID_OFFSET)),
      producerEpoch: b.readInt16BE(PRODUCER_EPOCH_OFFSET),
      baseSequence: b.readInt32BE(BASE_SEQUENCE_OFFSET),
      recordCount: b.readInt32BE(RECORDS_COUNT_OFFSET),
    });
    position += b.length;
  }
  return { records: Buffer.concat(batches), infos };
}
