/**
 * Problems a `Log` found and worked around (recovery cuts, rebuilt indexes, stray files, bad
 * checkpoints, storage errors): kept in the log's `issues` list for its owner to report. Each
 * module that opens or repairs part of the log appends to that same list, in the order found.
 */

export type LogIssueKind =
  | 'truncated-tail'
  | 'log-start-beyond-end'
  | 'index-rebuilt'
  | 'corrupt-segment'
  | 'checkpoint-invalid'
  | 'snapshot-invalid'
  | 'segment-overlap'
  | 'topic-id-mismatch'
  | 'stray-file'
  | 'storage-error';

export interface LogIssue {
  kind: LogIssueKind;
  segmentBaseOffset?: number;
  position?: number;
  message: string;
}

export function reportIssue(issues: LogIssue[], kind: LogIssueKind, message: string, segmentBaseOffset?: number, position?: number): void {
  const entry: LogIssue = { kind, message };
  if (segmentBaseOffset !== undefined) entry.segmentBaseOffset = segmentBaseOffset;
  if (position !== undefined) entry.position = position;
  issues.push(entry);
}
