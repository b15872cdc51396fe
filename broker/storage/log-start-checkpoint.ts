/**
 * `log-start-offset-checkpoint`: the partition's log start offset in Kafka's checkpoint format,
 * one entry `<topic> <partition> <offset>`. Written (atomically, see `checkpoint-file.ts`)
 * before segments below a new log start are deleted, read back by `Log.open`.
 */

import type { FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import { parseOffset, readCheckpoint, writeCheckpoint } from './checkpoint-file.js';
import { type LogIssue, reportIssue } from './log-issues.js';

export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';

/** The checkpointed log start offset; undefined if there is none or it is unreadable (reported). */
export function readLogStartCheckpoint(fs: FileSystem, dir: string, issues: LogIssue[]): number | undefined {
  const path = joinPath(dir, LOG_START_OFFSET_CHECKPOINT);
  const parsed = readCheckpoint(fs, path);
  if (parsed === undefined) return undefined;
  const offset = typeof parsed === 'string' ? undefined : parseOffset(parsed[0]?.[2]);
  if (offset === undefined) {
    reportIssue(issues, 'checkpoint-invalid', `${path}: ${typeof parsed === 'string' ? parsed : 'bad entry'}`);
    return undefined;
  }
  return offset;
}

export function writeLogStartCheckpoint(fs: FileSystem, dir: string, topic: string, partition: number, offset: number): void {
  writeCheckpoint(fs, joinPath(dir, LOG_START_OFFSET_CHECKPOINT), [[topic, partition, offset]]);
}
