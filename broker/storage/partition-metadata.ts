/**
 * `partition.metadata`: the partition's topic id, `version: 0` / `topic_id: <id>`, as Kafka
 * writes it. A brand-new partition writes it without fsync (`Log.settle` syncs it later), so a
 * crash can leave it empty or torn; such a file holds no topic id and is rewritten once the id
 * is known.
 */

import type { FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import { type LogIssue, reportIssue } from './log-issues.js';

export const PARTITION_METADATA = 'partition.metadata';

/**
 * Checks `partition.metadata` against `topicId`, writing it if missing. A file that does not
 * hold a whole topic id (left empty or torn by a crash before a new partition settled) is
 * reported and rewritten when the topic id is known. Returns whether the file now holds a
 * whole topic id (checked or written).
 */
export function checkTopicId(fs: FileSystem, dir: string, topicId: string | undefined, durable: boolean, issues: LogIssue[]): boolean {
  const path = joinPath(dir, PARTITION_METADATA);
  if (fs.exists(path)) {
    const stored = storedTopicId(fs.readFile(path).toString('utf8'));
    if (stored !== undefined) {
      if (topicId !== undefined && stored !== topicId) reportIssue(issues, 'topic-id-mismatch', `${path} has topic id ${stored}, expected ${topicId}`);
      return true;
    }
    reportIssue(issues, 'checkpoint-invalid', `${path} holds no complete topic id${topicId === undefined ? '' : '; rewriting it'}`);
  }
  if (topicId === undefined) return false;
  fs.writeFileAtomic(path, `version: 0\ntopic_id: ${topicId}\n`, { durable });
  return true;
}

/**
 * The topic id in a `partition.metadata` text, if the file holds a whole one: Tributary ends the
 * file with a newline, Kafka writes a 22-character id without one; anything else (empty, torn)
 * is undefined.
 */
function storedTopicId(text: string): string | undefined {
  const match = /(?:^|\n)topic_id:[ \t]*(\S+)(\n?)/.exec(text);
  if (!match) return undefined;
  const id = match[1]!;
  return match[2] === '\n' || /^[A-Za-z0-9_-]{22}$/.test(id) ? id : undefined;
}
