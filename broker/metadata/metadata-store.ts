/**
 * The metadata log of a single node: the stand-in for Kafka's `__cluster_metadata` Raft log until
 * Tributary's Raft quorum lands. It stores batches of metadata records (one batch per controller
 * operation) in `<logDir>/__cluster_metadata-0/metadata.log` and gives them back in order on start.
 *
 * This file is an I/O edge and uses node:fs directly (an exception to "only broker/io/ touches the
 * file system", accepted while the store is a stop-gap; Raft will write through `FileSystem`).
 *
 * Format, per batch: u32 payload length (big-endian), u32 CRC-32C of the payload, payload = UTF-8
 * JSON array of records. Not Kafka's on-disk format; Raft will replace it.
 *
 * Durability: `append` resolves only after write + fsync, so the caller may apply the records and
 * answer the client afterwards. Appends are serialised. A batch is atomic: on open, the first batch
 * that is short, fails its CRC or does not parse ends the log, and everything from it on is
 * truncated away (a torn tail after a crash; `truncatedBytes` tells the caller to log it).
 * After a failed write or fsync the store refuses further appends (the caller should stop: what
 * reached the disk is unknown until the next open replays it).
 * Limits: a batch payload is at most `METADATA_BATCH_BYTES_MAX`.
 */
import { crc32c } from '@node-rs/crc32';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetadataRecord } from './records.js';

export const METADATA_BATCH_BYTES_MAX = 16 * 1024 * 1024;
const HEADER_BYTES = 8;

export function metadataLogPath(logDir: string): string {
  return join(logDir, '__cluster_metadata-0', 'metadata.log');
}

export function encodeMetadataBatch(records: readonly MetadataRecord[]): Buffer {
  const payload = Buffer.from(JSON.stringify(records), 'utf8');
  if (payload.length > METADATA_BATCH_BYTES_MAX) {
    throw new Error(`assertion failed: metadata batch of ${payload.length} bytes exceeds ${METADATA_BATCH_BYTES_MAX}`);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32c(payload), 4);
  return Buffer.concat([header, payload]);
}

export interface DecodedMetadataLog {
  readonly batches: MetadataRecord[][];
  /** Bytes up to the end of the last good batch; anything after is a torn tail. */
  readonly validBytes: number;
}

/** Pure: splits log bytes into batches, stopping at the first incomplete or corrupt one. */
export function decodeMetadataLog(bytes: Uint8Array): DecodedMetadataLog {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const batches: MetadataRecord[][] = [];
  let position = 0;
  while (buffer.length - position >= HEADER_BYTES) {
    const length = buffer.readUInt32BE(position);
    const crc = buffer.readUInt32BE(position + 4);
    const end = position + HEADER_BYTES + length;
    if (length > METADATA_BATCH_BYTES_MAX || end > buffer.length) break;
    const payload = buffer.subarray(position + HEADER_BYTES, end);
    if (crc32c(payload) !== crc) break;
    const records = parseBatch(payload);
    if (records === null) break;
    batches.push(records);
    position = end;
  }
  return { batches, validBytes: position };
}

function parseBatch(payload: Buffer): MetadataRecord[] | null {
  try {
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    return Array.isArray(parsed) ? (parsed as MetadataRecord[]) : null;
  } catch {
    return null;
  }
}

export interface OpenedMetadataStore {
  readonly store: MetadataStore;
  /** Batches in log order; fold them with `applyRecords` batch by batch. */
  readonly batches: MetadataRecord[][];
  readonly truncatedBytes: number;
}

export class MetadataStore {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set when a write or fsync failed: what is on disk is unknown, so no further appends. */
  private failure: Error | null = null;

  private constructor(readonly path: string, private readonly handle: FileHandle, private sizeBytes: number) {}

  static async open(logDir: string): Promise<OpenedMetadataStore> {
    const path = metadataLogPath(logDir);
    const dir = join(logDir, '__cluster_metadata-0');
    await mkdir(dir, { recursive: true });
    const existing = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const decoded = existing === null ? { batches: [], validBytes: 0 } : decodeMetadataLog(existing);
    const truncatedBytes = existing === null ? 0 : existing.length - decoded.validBytes;
    const handle = await open(path, existing === null ? 'w' : 'r+');
    if (truncatedBytes > 0) {
      await handle.truncate(decoded.validBytes);
      await handle.sync();
    }
    if (existing === null) await syncDirectory(dir);
    return { store: new MetadataStore(path, handle, decoded.validBytes), batches: decoded.batches, truncatedBytes };
  }

  /** Appends one atomic batch; resolves once it is on disk (fsynced). */
  append(records: readonly MetadataRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('assertion failed: append to a closed metadata store'));
    if (records.length === 0) return this.queue;
    const bytes = encodeMetadataBatch(records);
    const done = this.queue.then(async () => {
      if (this.failure !== null) throw this.failure;
      try {
        await this.handle.write(bytes, 0, bytes.length, this.sizeBytes);
        await this.handle.sync();
        this.sizeBytes += bytes.length;
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
