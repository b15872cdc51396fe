/**
 * `__consumer_offsets` record keys and values, hand-encoded in Kafka's own layouts so that Kafka
 * tools (kafka-console-consumer with the offsets formatters, kcat decoders) can read them.
 *
 * Every key and value starts with an int16 schema version. Strings are int16 length + UTF-8
 * (nullable: length -1), bytes are int32 length + data, arrays are int32 count; all big-endian.
 *
 *   Offset commit key, version 1 (0 is the same layout):
 *     version:int16=1  group:string  topic:string  partition:int32
 *   Offset commit value, version 3 (written):
 *     version:int16=3  offset:int64  leaderEpoch:int32  metadata:string  commitTimestamp:int64
 *     (read: v0 offset, metadata, commitTimestamp; v1 adds expireTimestamp:int64 at the end; v2 = v0;
 *      v4 = v3 in the flexible encoding: compact strings and tagged fields)
 *   Group metadata key, version 2:
 *     version:int16=2  group:string
 *   Group metadata value, version 3 (written):
 *     version:int16=3  protocolType:string  generation:int32  protocol:nullable string
 *     leader:nullable string  currentStateTimestamp:int64  members:[
 *       memberId:string  groupInstanceId:nullable string  clientId:string  clientHost:string
 *       rebalanceTimeout:int32  sessionTimeout:int32  subscription:bytes  assignment:bytes ]
 *     (read: v0 lacks groupInstanceId, rebalanceTimeout and currentStateTimestamp; v1 adds
 *      rebalanceTimeout; v2 adds currentStateTimestamp; v4 = v3 flexible)
 *
 * A null value is a tombstone. Key versions 3 and above belong to the new consumer-group protocol
 * (KIP-848) and are reported as `unknown`, so a log written by Kafka can still be replayed.
 *
 * Decoding bad bytes throws `RecordDecodeError` (operating error: the caller decides); encoding
 * asserts its inputs.
 */

export class RecordDecodeError extends Error {}

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_VERSION = 3;

export type OffsetsTopicKey =
  | { type: 'offsetCommit'; group: string; topic: string; partition: number }
  | { type: 'groupMetadata'; group: string }
  | { type: 'unknown'; version: number };

export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** Only in value version 1; -1 otherwise. */
  expireTimestampMs: number;
}

export interface GroupMetadataMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestampMs: number;
  members: GroupMetadataMember[];
}

// ---------------------------------------------------------------- encoding

class Out {
  private readonly parts: Buffer[] = [];
  int16(n: number): this { const b = Buffer.alloc(2); b.writeInt16BE(n); this.parts.push(b); return this; }
  int32(n: number): this { const b = Buffer.alloc(4); b.writeInt32BE(n); this.parts.push(b); return this; }
  int64(n: number): this {
    if (!Number.isSafeInteger(n)) throw new Error(`assertion: int64 field is not a safe integer: ${n}`);
    const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(n)); this.parts.push(b); return this;
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const data = Buffer.from(s, 'utf8');
    if (data.length > 0x7fff) throw new Error('assertion: string longer than int16');
    this.int16(data.length); this.parts.push(data); return this;
  }
  bytes(data: Buffer): this { this.int32(data.length); this.parts.push(data); return this; }
  done(): Buffer { return Buffer.concat(this.parts); }
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new Out().int16(OFFSET_COMMIT_KEY_VERSION).string(group).string(topic).int32(partition).done();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new Out().int16(GROUP_METADATA_KEY_VERSION).string(group).done();
}

export function encodeOffsetCommitValue(v: Omit<OffsetCommitValue, 'expireTimestampMs'>): Buffer {
  return new Out().int16(OFFSET_COMMIT_VALUE_VERSION).int64(v.offset).int32(v.leaderEpoch)
    .string(v.metadata).int64(v.commitTimestampMs).done();
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const out = new Out().int16(GROUP_METADATA_VALUE_VERSION).string(v.protocolType).int32(v.generation)
    .string(v.protocol).string(v.leader).int64(v.currentStateTimestampMs).int32(v.members.length);
  for (const m of v.members) {
    out.string(m.memberId).string(m.groupInstanceId).string(m.clientId).string(m.clientHost)
      .int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs).bytes(m.subscription).bytes(m.assignment);
  }
  return out.done();
}

// ---------------------------------------------------------------- decoding

class In {
  private pos = 0;
  constructor(private readonly buf: Buffer, private readonly flexible = false) {}
  private need(n: number): number {
    if (n < 0 || this.pos + n > this.buf.length) throw new RecordDecodeError('record truncated');
    const at = this.pos; this.pos += n; return at;
  }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  int64(): number {
    const n = this.buf.readBigInt64BE(this.need(8));
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new RecordDecodeError('int64 out of range');
    return Number(n);
  }
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.need(1)]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new RecordDecodeError('varint too long');
  }
  /** Length prefix: int16/int32 classic, uvarint(n+1) flexible; -1 means null. */
  private length(classic: 'int16' | 'int32'): number {
    if (this.flexible) return this.uvarint() - 1;
    return classic === 'int16' ? this.int16() : this.int32();
  }
  nullableString(): string | null {
    const n = this.length('int16');
    if (n < 0) return null;
    return this.buf.toString('utf8', this.need(n), this.pos);
  }
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new RecordDecodeError('null in a non-nullable string');
    return s;
  }
  bytes(): Buffer {
    const n = this.length('int32');
    if (n < 0) throw new RecordDecodeError('null in a non-nullable bytes field');
    return Buffer.from(this.buf.subarray(this.need(n), this.pos));
  }
  arrayLength(): number {
    const n = this.length('int32');
    if (n < 0) throw new RecordDecodeError('null array');
    return n;
  }
  /** Skips a tagged-field section (flexible versions only). */
  taggedFields(): void {
    if (!this.flexible) return;
    const count = this.uvarint();
    for (let i = 0; i < count; i++) { this.uvarint(); this.need(this.uvarint()); }
  }
}

export function decodeKey(key: Buffer): OffsetsTopicKey {
  const r = new In(key);
  const version = r.int16();
  if (version === 0 || version === 1) {
    return { type: 'offsetCommit', group: r.string(), topic: r.string(), partition: r.int32() };
  }
  if (version === 2) return { type: 'groupMetadata', group: r.string() };
  return { type: 'unknown', version };
}

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const version = new In(value).int16();
  if (version < 0 || version > 4) throw new RecordDecodeError(`unknown offset commit value version ${version}`);
  const r = new In(value.subarray(2), version >= 4);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestampMs = r.int64();
  const expireTimestampMs = version === 1 ? r.int64() : -1;
  r.taggedFields();
  return { offset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs };
}

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const version = new In(value).int16();
  if (version < 0 || version > 4) throw new RecordDecodeError(`unknown group metadata value version ${version}`);
  const r = new In(value.subarray(2), version >= 4);
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestampMs = version >= 2 ? r.int64() : -1;
  const count = r.arrayLength();
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) members.push(decodeMember(r, version));
  r.taggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestampMs, members };
}

function decodeMember(r: In, version: number): GroupMetadataMember {
  const memberId = r.string();
  const groupInstanceId = version >= 3 ? r.nullableString() : null;
  const clientId = r.string();
  const clientHost = r.string();
  const rebalanceTimeout = version >= 1 ? r.int32() : null;
  const sessionTimeoutMs = r.int32();
  const subscription = r.bytes();
  const assignment = r.bytes();
  r.taggedFields();
  return {
    memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, subscription, assignment,
    rebalanceTimeoutMs: rebalanceTimeout ?? sessionTimeoutMs,
  };
}
