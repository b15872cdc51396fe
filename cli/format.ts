/**
 * Output formatting for the CLI, shaped like Kafka's own tools so scripts written for them keep
 * working. Pure: strings in, strings out.
 */
import type { ConfigEntry, TopicDescription } from '../broker/client/admin.js';

/**
 * `kafka-topics --describe`: a topic line, then one tab-indented line per partition.
 * Configs lists the entries that are not broker defaults, as Kafka does.
 */
export function formatTopicDescription(topic: TopicDescription, configs: readonly ConfigEntry[]): string[] {
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  const shown = configs.filter((c) => !c.isDefault && c.value !== null).map((c) => `${c.name}=${c.isSensitive ? '<sensitive>' : c.value}`);
  const lines = [
    `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${shown.join(',')}`,
  ];
  for (const p of topic.partitions) {
    const leader = p.leader < 0 ? 'none' : String(p.leader);
    lines.push(`\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`);
  }
  return lines;
}

/**
 * A left-aligned table with one space between columns; each column is at least as wide as its
 * `minWidths` entry and its longest cell; the last column is not padded.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, minWidths: readonly number[] = []): string[] {
  const widths = headers.map((h, i) => Math.max(minWidths[i] ?? 0, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

export interface GroupOffsetRow {
  group: string;
  topic: string;
  partition: number;
  /** null when the group has no committed offset. */
  currentOffset: number | null;
  /** null when unknown. */
  logEndOffset: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

const dash = (v: string | number | null): string => (v === null || v === '' ? '-' : String(v));

/** `kafka-consumer-groups --describe` (offsets view). */
export function formatGroupOffsets(rows: readonly GroupOffsetRow[]): string[] {
  const headers = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
  const cells = rows.map((r) => [
    r.group,
    r.topic,
    String(r.partition),
    dash(r.currentOffset),
    dash(r.logEndOffset),
    dash(lag(r)),
    dash(r.consumerId),
    dash(r.host),
    dash(r.clientId),
  ]);
  return formatTable(headers, cells, [15, 15, 10, 15, 15, 15, 15, 15, 0]);
}

/** Log-end offset minus committed offset, never negative; null when either is unknown. */
export function lag(row: Pick<GroupOffsetRow, 'currentOffset' | 'logEndOffset'>): number | null {
  if (row.currentOffset === null || row.logEndOffset === null) return null;
  return Math.max(0, row.logEndOffset - row.currentOffset);
}

export interface GroupMemberRow {
  group: string;
  consumerId: string;
  host: string;
  clientId: string;
  partitions: number;
}

/** `kafka-consumer-groups --describe --members`. */
export function formatGroupMembers(rows: readonly GroupMemberRow[]): string[] {
  return formatTable(
    ['GROUP', 'CONSUMER-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS'],
    rows.map((r) => [r.group, r.consumerId, r.host, r.clientId, String(r.partitions)]),
    [15, 15, 15, 15, 0],
  );
}

export interface GroupStateRow {
  group: string;
  coordinator: string;
  assignmentStrategy: string;
  state: string;
  members: number;
}

/** `kafka-consumer-groups --describe --state`. */
export function formatGroupState(row: GroupStateRow): string[] {
  return formatTable(
    ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
    [[row.group, row.coordinator, dash(row.assignmentStrategy), row.state, String(row.members)]],
    [15, 25, 20, 15, 0],
  );
}

export interface ResetRow {
  group: string;
  topic: string;
  partition: number;
  newOffset: number;
}

/** `kafka-consumer-groups --reset-offsets` result table. */
export function formatResetOffsets(rows: readonly ResetRow[]): string[] {
  return formatTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
    rows.map((r) => [r.group, r.topic, String(r.partition), String(r.newOffset)]),
    [30, 30, 10, 0],
  );
}

export interface RecordFormat {
  printKey: boolean;
  printValue: boolean;
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  keySeparator: string;
  lineSeparator: string;
  nullLiteral: string;
}

export const DEFAULT_RECORD_FORMAT: RecordFormat = {
  printKey: false,
  printValue: true,
  printTimestamp: false,
  printPartition: false,
  printOffset: false,
  keySeparator: '\t',
  lineSeparator: '\n',
  nullLiteral: 'null',
};

/** Console-consumer `--property` names -> the record format. Unknown names are errors. */
export function recordFormatFromProperties(props: Readonly<Record<string, string>>): RecordFormat {
  const f = { ...DEFAULT_RECORD_FORMAT };
  const bool = (k: string, v: string): boolean => {
    if (v !== 'true' && v !== 'false') throw new Error(`Property ${k} must be true or false, got '${v}'`);
    return v === 'true';
  };
  for (const [k, v] of Object.entries(props)) {
    if (k === 'print.key') f.printKey = bool(k, v);
    else if (k === 'print.value') f.printValue = bool(k, v);
    else if (k === 'print.timestamp') f.printTimestamp = bool(k, v);
    else if (k === 'print.partition') f.printPartition = bool(k, v);
    else if (k === 'print.offset') f.printOffset = bool(k, v);
    else if (k === 'key.separator') f.keySeparator = unescape(v);
    else if (k === 'line.separator') f.lineSeparator = unescape(v);
    else if (k === 'null.literal') f.nullLiteral = v;
    else throw new Error(`Unknown property '${k}'`);
  }
  return f;
}

/** `\t`, `\n` and `\\` written on the command line mean the characters. */
export function unescape(text: string): string {
  return text.replace(/\\([tnr\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

export interface PrintableRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * One consumed record the way Kafka's default message formatter writes it: optional
 * `CreateTime:<ts>`, `Partition:<p>`, `Offset:<o>`, key, value, joined by the key separator, then
 * the line separator.
 */
export function formatRecord(record: PrintableRecord, f: RecordFormat): string {
  const parts: string[] = [];
  const text = (b: Buffer | null): string => (b === null ? f.nullLiteral : b.toString('utf8'));
  if (f.printTimestamp) parts.push(`CreateTime:${record.timestamp}`);
  if (f.printPartition) parts.push(`Partition:${record.partition}`);
  if (f.printOffset) parts.push(`Offset:${record.offset}`);
  if (f.printKey) parts.push(text(record.key));
  if (f.printValue) parts.push(text(record.value));
  return `${parts.join(f.keySeparator)}${f.lineSeparator}`;
}

export interface LineFormat {
  parseKey: boolean;
  keySeparator: string;
  nullMarker: string | null;
}

/** Console-producer `--property` names -> how lines become records. */
export function lineFormatFromProperties(props: Readonly<Record<string, string>>): LineFormat {
  const f: LineFormat = { parseKey: false, keySeparator: '\t', nullMarker: null };
  for (const [k, v] of Object.entries(props)) {
    if (k === 'parse.key') {
      if (v !== 'true' && v !== 'false') throw new Error(`Property parse.key must be true or false, got '${v}'`);
      f.parseKey = v === 'true';
    } else if (k === 'key.separator') f.keySeparator = unescape(v);
    else if (k === 'null.marker') f.nullMarker = v;
    else throw new Error(`Unknown property '${k}'`);
  }
  if (f.keySeparator === '') throw new Error('Property key.separator must not be empty');
  return f;
}

/** One stdin line -> key and value; with parse.key the key ends at the first separator. */
export function parseLine(line: string, lineNumber: number, f: LineFormat): { key: string | null; value: string | null } {
  const marker = (s: string): string | null => (f.nullMarker !== null && s === f.nullMarker ? null : s);
  if (!f.parseKey) return { key: null, value: marker(line) };
  const at = line.indexOf(f.keySeparator);
  if (at < 0) throw new Error(`No key separator found on line number ${lineNumber}: '${line}'`);
  return { key: marker(line.slice(0, at)), value: marker(line.slice(at + f.keySeparator.length)) };
}
