/**
 * Kafka's plain-text checkpoint format, used for `leader-epoch-checkpoint` and
 * `log-start-offset-checkpoint`:
 *
 *     <version>\n<entry count>\n<entry>\n...
 *
 * where each entry is space-separated fields. Written with `writeFileAtomic`, so a reader sees
 * the old or the new file, never a torn one; a file that does not parse is reported, not guessed.
 * (A brand-new partition writes its checkpoints with `{ durable: false }` until its first record;
 * a crash before then may leave them missing, empty or torn, which reads report as problems.)
 */

import type { DurabilityOptions, FileSystem } from '../io/fs.js';

export const CHECKPOINT_VERSION = 0;

export function encodeCheckpoint(entries: readonly (readonly (string | number)[])[]): string {
  const lines = [String(CHECKPOINT_VERSION), String(entries.length), ...entries.map((e) => e.join(' '))];
  return lines.join('\n') + '\n';
}

/** Returns the entries' fields, or an error message. */
export function decodeCheckpoint(text: string): string[][] | string {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length < 2) return 'checkpoint too short';
  if (lines[0] !== String(CHECKPOINT_VERSION)) return `unknown checkpoint version ${lines[0]}`;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count !== lines.length - 2) return `checkpoint count ${lines[1]} does not match ${lines.length - 2} entries`;
  return lines.slice(2).map((l) => l.split(' '));
}

export function writeCheckpoint(
  fs: FileSystem,
  path: string,
  entries: readonly (readonly (string | number)[])[],
  options: DurabilityOptions = {},
): void {
  fs.writeFileAtomic(path, encodeCheckpoint(entries), options);
}

/** Entries of a checkpoint file; `undefined` if missing; a string if it does not parse. */
export function readCheckpoint(fs: FileSystem, path: string): string[][] | undefined | string {
  if (!fs.exists(path)) return undefined;
  return decodeCheckpoint(fs.readFile(path).toString('utf8'));
}

/** Parses a non-negative safe integer field, or returns undefined. */
export function parseOffset(field: string | undefined): number | undefined {
  if (field === undefined || !/^-?\d+$/.test(field)) return undefined;
  const n = Number(field);
  return Number.isSafeInteger(n) ? n : undefined;
}
