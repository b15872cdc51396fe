/**
 * Per-topic log settings, with Kafka's topic config meaning and defaults (`segment.bytes`,
 * `retention.ms`, ...). Parsing from `key=value` lives in `broker/config/`; storage only reads
 * this shape.
 */

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first append is older than this. */
  segmentMs: number;
  /** segment.index.bytes: roll when the offset index would grow past this. */
  segmentIndexBytes: number;
  /** index.interval.bytes: one offset/time index entry per this many appended bytes. */
  indexIntervalBytes: number;
  /** retention.ms: delete closed segments whose newest timestamp is older; -1 = forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest closed segments while the log is bigger; -1 = unbounded. */
  retentionBytes: number;
  /** flush.messages: fsync after this many appended records. */
  flushMessages: number;
  /** flush.ms: fsync when the oldest unflushed append is this old (driven by `maybeFlush`). */
  flushMs: number;
  /** message.timestamp.type */
  messageTimestampType: TimestampType;
  /** file.delete.delay.ms: accepted, ignored (files are deleted at once). */
  fileDeleteDelayMs: number;
}

/** Kafka's Long.MAX_VALUE defaults map to the largest exact number. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  flushMessages: NEVER,
  flushMs: NEVER,
  messageTimestampType: 'CreateTime',
  fileDeleteDelayMs: 60_000,
});

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig, ...overrides };
}
