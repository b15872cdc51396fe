/**
 * `LogManager`: every partition `Log` under the broker's log dirs (`log.dirs`).
 *
 * On open it writes or validates `meta.properties` in each log dir (cluster.id and node.id must
 * match: a dir from another cluster or node is refused), removes partition dirs left half-deleted
 * (`*-delete`), and opens every `<topic>-<partition>` dir with recovery, keeping a report per
 * partition. A partition whose recovery throws is reported and left closed; the others open.
 *
 * Deleting a partition renames its dir to `<dir>-delete` first (atomic), then removes it, so a
 * crash mid-way never leaves a half partition that would be opened again.
 *
 * Clean shutdown marker: `closeAll` writes `.tributary_cleanshutdown` (durably) in each log dir
 * whose every partition was open, online and closed without error, after all of them are
 * synced. `open` reads it, removes it durably before opening any partition (so a crash from
 * then on is seen as unclean), and opens that dir's logs with `cleanShutdown`: their active
 * segments are trusted instead of CRC-scanned. Kafka does the same with `.kafka_cleanshutdown`;
 * the name differs on purpose so Kafka never trusts a Tributary dir (producer snapshots differ)
 * and Tributary never trusts a Kafka one.
 *
 * Recovery points (Kafka's model and file): each log's recovery point (`Log.recoveryPoint`:
 * offsets below it were synced, index entries included) is checkpointed per log dir in
 * `recovery-point-offset-checkpoint` (`<topic> <partition> <offset>` entries, written atomically
 * and durably). A log dir opened without the marker gives each log its checkpointed point, so
 * recovery after a crash scans only what follows it; a log missing from a valid file gets 0 (it
 * was created after the last write: everything is scanned, as in Kafka); a missing or unreadable
 * file gives none (closed segments trusted, the active one scanned in full, as before recovery
 * points existed; `recoveryPointFallbacks` says why). The file is written:
 * - right after `open`, so a crash from then on finds the points recovery established (the log
 *   end after a clean shutdown, the old points otherwise: recovery does not advance them);
 * - by `maybeFlushAll` at most once per `recoveryPointCheckpointIntervalMs`
 *   (`log.flush.offset.checkpoint.interval.ms`), picking up points advanced by rolls and flushes
 *   (a stale point is only lower, so it costs a longer scan, never trusts unsynced data);
 * - at once when a point moved down (truncation) or a log is deleted: a stale *higher* point
 *   would make recovery trust data written after it;
 * - by `closeAll`, before the marker.
 * Only changed content is written, and logs at point 0 are left out (an absent entry means 0),
 * so creating empty partitions never rewrites the file.
 *
 * Creating a partition does no fsync at all (see `log.ts`: a new partition settles before its
 * first record), so creating many partitions at once costs no disk flushes.
 *
 * Not re-entrant; the broker's single thread owns it. It never reads the clock: callers pass nowMs.
 */

import type { FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import { encodeCheckpoint, parseOffset, readCheckpoint } from './checkpoint-file.js';
import { LogStorageError } from './error-codes.js';
import { Log, type LogIssue } from './log.js';
import { parseProperties } from '../config/properties.js';
import type { LogConfig } from '../config/topic-config.js';

export const META_PROPERTIES = 'meta.properties';
export const META_VERSION = 1;
export const CLEAN_SHUTDOWN_FILE = '.tributary_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
/** Kafka's default for `log.flush.offset.checkpoint.interval.ms`. */
export const RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT = 60_000;
const DELETE_SUFFIX = '-delete';

export interface LogManagerOptions {
  fs: FileSystem;
  logDirs: readonly string[];
  clusterId: string;
  nodeId: number;
  nowMs: number;
  /** Topic config for partitions found on disk. */
  configFor: (topic: string) => LogConfig;
  /** Last known high watermark per partition (from the replication layer), if any. */
  highWatermarkFor?: (topic: string, partition: number) => number | undefined;
  verifyClosedSegments?: boolean;
  /** `log.flush.offset.checkpoint.interval.ms`: the most often `maybeFlushAll` rewrites recovery points. */
  recoveryPointCheckpointIntervalMs?: number;
  /** Told once per new failure to write a log dir's recovery points (the same failure again is not repeated). */
  onCheckpointFailure?: (logDir: string, message: string) => void;
}

/** How a log dir's logs were recovered, for the start-up report. */
export interface RecoverySummary {
  /** Active segments trusted after a clean shutdown. */
  trusted: number;
  /** Active segments scanned only from their recovery point. */
  fromRecoveryPoint: number;
  /** Active segments CRC-scanned in full. */
  scanned: number;
  /** Bytes CRC-checked by recovery over all logs. */
  scannedBytes: number;
}

/** What `open` found in a log dir's recovery point checkpoint. */
type RecoveryPointsRead = { kind: 'points'; points: ReadonlyMap<string, number> } | { kind: 'none'; reason: string };

export interface PartitionReport {
  topic: string;
  partition: number;
  dir: string;
  issues: readonly LogIssue[];
  /** Set when the partition could not be opened (or went offline later). */
  error?: string;
}

/** `meta.properties` is missing a key or belongs to another cluster/node. */
export class MetaPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetaPropertiesError';
  }
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Splits `<topic>-<partition>` at the last dash; undefined for other names. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | undefined {
  const match = /^(.+)-(\d+)$/.exec(name);
  if (!match) return undefined;
  const partition = Number(match[2]);
  return Number.isSafeInteger(partition) && partition <= 0x7fffffff ? { topic: match[1]!, partition } : undefined;
}

/** `<logDir>/__cluster_metadata-0`, owned by the metadata store, never opened as a partition. */
const METADATA_PARTITION_DIR = '__cluster_metadata-0';

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class LogManager {
  readonly reports: PartitionReport[] = [];
  /** Log dirs that had a clean shutdown marker when opened (their active segments were trusted). */
  readonly cleanShutdownDirs: string[] = [];
  /** Log dirs recovered without the marker and without usable recovery points, and why. */
  readonly recoveryPointFallbacks: { logDir: string; reason: string }[] = [];
  /** The last failure to write each log dir's recovery points (retried at the next interval; cleared by a success). */
  readonly checkpointFailures = new Map<string, string>();
  private onCheckpointFailure: ((logDir: string, message: string) => void) | undefined;
  private readonly logs = new Map<string, Log>();
  /** What each dir's checkpoint held at open (for partitions opened later by `create`). */
  private readonly recoveryPointsRead = new Map<string, RecoveryPointsRead>();
  /** The checkpoint text last written or read per log dir (unchanged content is not rewritten). */
  private readonly checkpointText = new Map<string, string>();
  /** Checkpointed points of partitions whose open failed: kept in the file until they open or go. */
  private readonly unopenedPoints = new Map<string, { logDir: string; offset: number }>();
  private recoveryPointIntervalMs = RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT;
  private lastCheckpointMs = 0;
  private readonly partitionCountByDir = new Map<string, number>();
  /** Log dirs with a partition that failed to open or went offline: no clean marker on close. */
  private readonly uncleanDirs = new Set<string>();

  private constructor(private readonly fs: FileSystem, readonly logDirs: readonly string[]) {
    for (const dir of logDirs) this.partitionCountByDir.set(dir, 0);
  }

  static open(options: LogManagerOptions): LogManager {
    if (options.logDirs.length === 0) throw new Error('at least one log dir is required');
    const manager = new LogManager(options.fs, options.logDirs);
    manager.recoveryPointIntervalMs = options.recoveryPointCheckpointIntervalMs ?? RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT;
    manager.onCheckpointFailure = options.onCheckpointFailure;
    manager.lastCheckpointMs = options.nowMs;
    for (const logDir of options.logDirs) {
      options.fs.mkdirp(logDir);
      checkMetaProperties(options.fs, logDir, options.clusterId, options.nodeId);
      const clean = takeCleanShutdownMarker(options.fs, logDir);
      if (clean) manager.cleanShutdownDirs.push(logDir);
      manager.readRecoveryPoints(logDir);
      const opened = manager.openPartitionsIn(logDir, options, clean);
      const read = manager.recoveryPointsRead.get(logDir)!;
      if (!clean && opened > 0 && read.kind === 'none') manager.recoveryPointFallbacks.push({ logDir, reason: read.reason });
    }
    for (const logDir of options.logDirs) manager.tryCheckpoint(logDir);
    return manager;
  }

  private readRecoveryPoints(logDir: string): void {
    const path = joinPath(logDir, RECOVERY_POINT_CHECKPOINT);
    const read = readRecoveryPointCheckpoint(this.fs, path);
    this.recoveryPointsRead.set(logDir, read);
    if (read.kind === 'points') this.checkpointText.set(logDir, encodeRecoveryPoints(read.points));
  }

  /** The recovery point to open an existing partition dir with (see the header). */
  private recoveryPointFor(logDir: string, topic: string, partition: number): number | undefined {
    const read = this.recoveryPointsRead.get(logDir);
    if (read === undefined || read.kind === 'none') return undefined;
    return read.points.get(key(topic, partition)) ?? 0;
  }

  /** Opens every partition dir in a log dir; returns how many were found. */
  private openPartitionsIn(logDir: string, options: LogManagerOptions, cleanShutdown: boolean): number {
    let found = 0;
    for (const name of this.fs.readdir(logDir)) {
      const dir = joinPath(logDir, name);
      if (!this.fs.isDirectory(dir)) continue;
      if (name.endsWith(DELETE_SUFFIX)) {
        this.fs.remove(dir);
        continue;
      }
      // The metadata store's directory (metadata-store.ts) shares the first log dir but is not a
      // partition log: opening it here would make the broker delete it as an unknown topic.
      if (name === METADATA_PARTITION_DIR) continue;
      const parsed = parsePartitionDirName(name);
      if (!parsed) continue;
      const { topic, partition } = parsed;
      found += 1;
      try {
        const hw = options.highWatermarkFor?.(topic, partition);
        const recoveryPoint = cleanShutdown ? undefined : this.recoveryPointFor(logDir, topic, partition);
        const log = Log.open({
          fs: this.fs,
          dir,
          topic,
          partition,
          config: options.configFor(topic),
          nowMs: options.nowMs,
          ...(hw === undefined ? {} : { highWatermark: hw }),
          ...(options.verifyClosedSegments ? { verifyClosedSegments: true } : {}),
          cleanShutdown,
          ...(recoveryPoint === undefined ? {} : { recoveryPoint }),
          onRecoveryPointCheckpointNeeded: this.recoveryPointCheckpointNeeded,
          syncInBackground: true,
        });
        this.add(logDir, log);
        this.reports.push({ topic, partition, dir, issues: log.issues });
      } catch (err) {
        this.uncleanDirs.add(logDir);
        this.reports.push({ topic, partition, dir, issues: [], error: (err as Error).message });
        const offset = this.recoveryPointFor(logDir, topic, partition);
        if (offset !== undefined) this.unopenedPoints.set(key(topic, partition), { logDir, offset });
      }
    }
    return found;
  }

  /**
   * A log's recovery point must be on disk now (a truncation moved it down, or a roll left a
   * gap below it, see `LogOpenOptions.onRecoveryPointCheckpointNeeded`). Errors take that log offline.
   */
  private readonly recoveryPointCheckpointNeeded = (log: Log): void => {
    this.checkpointRecoveryPoints(this.logDirOf(log));
  };

  private add(logDir: string, log: Log): void {
    this.logs.set(key(log.topic, log.partition), log);
    this.partitionCountByDir.set(logDir, (this.partitionCountByDir.get(logDir) ?? 0) + 1);
  }

  get(topic: string, partition: number): Log | undefined {
    return this.logs.get(key(topic, partition));
  }

  all(): IterableIterator<Log> {
    return this.logs.values();
  }

  get size(): number {
    return this.logs.size;
  }

  /**
   * Opens or creates a partition's log in the log dir holding the fewest partitions. For a log
   * already open, only checks (or restores) its `partition.metadata` against `topicId`.
   */
  create(options: { topic: string; partition: number; topicId?: string; config: LogConfig; nowMs: number }): Log {
    const existing = this.get(options.topic, options.partition);
    if (existing) {
      if (options.topicId !== undefined) existing.adoptTopicId(options.topicId);
      return existing;
    }
    let logDir = this.logDirs[0]!;
    for (const dir of this.logDirs) {
      if ((this.partitionCountByDir.get(dir) ?? 0) < (this.partitionCountByDir.get(logDir) ?? 0)) logDir = dir;
    }
    // A dir that exists (its open failed earlier) is recovered like the others in its log dir.
    const recoveryPoint = this.recoveryPointFor(logDir, options.topic, options.partition);
    const log = Log.open({
      fs: this.fs,
      dir: joinPath(logDir, partitionDirName(options.topic, options.partition)),
      topic: options.topic,
      partition: options.partition,
      config: options.config,
      nowMs: options.nowMs,
      ...(options.topicId === undefined ? {} : { topicId: options.topicId }),
      ...(recoveryPoint === undefined ? {} : { recoveryPoint }),
      onRecoveryPointCheckpointNeeded: this.recoveryPointCheckpointNeeded,
      syncInBackground: true,
    });
    this.unopenedPoints.delete(key(options.topic, options.partition));
    this.add(logDir, log);
    return log;
  }

  /**
   * Closes and deletes a partition's files. Returns false if it was not here. Its recovery point
   * leaves the checkpoint first: a partition created again under the same name must not inherit it.
   */
  delete(topic: string, partition: number): boolean {
    const log = this.get(topic, partition);
    if (!log) return false;
    this.logs.delete(key(topic, partition));
    const logDir = this.logDirOf(log);
    this.partitionCountByDir.set(logDir, Math.max(0, (this.partitionCountByDir.get(logDir) ?? 1) - 1));
    const read = this.recoveryPointsRead.get(logDir);
    if (read?.kind === 'points' && read.points.has(key(topic, partition))) {
      const points = new Map(read.points);
      points.delete(key(topic, partition));
      this.recoveryPointsRead.set(logDir, { kind: 'points', points });
    }
    this.checkpointRecoveryPoints(logDir);
    log.deleteAll(log.dir + DELETE_SUFFIX);
    return true;
  }

  /** Applies a new config to every partition of `topic`. */
  updateConfig(topic: string, config: LogConfig): void {
    for (const log of this.logs.values()) if (log.topic === topic) log.updateConfig(config);
  }

  /** Retention for every log; returns the number of segments deleted. */
  runRetention(nowMs: number): number {
    let deleted = 0;
    this.forEachOnline((log) => {
      deleted += log.applyRetention(nowMs);
    });
    return deleted;
  }

  /** The time-based flush of every log, then the recovery point checkpoint if its interval passed. */
  maybeFlushAll(nowMs: number): void {
    this.forEachOnline((log) => log.maybeFlush(nowMs));
    if (nowMs - this.lastCheckpointMs < this.recoveryPointIntervalMs) return;
    this.lastCheckpointMs = nowMs;
    for (const logDir of this.logDirs) this.tryCheckpoint(logDir);
  }

  /**
   * Writes a log dir's recovery point checkpoint if its content changed (atomically, durably).
   * Throws the file system's error.
   */
  checkpointRecoveryPoints(logDir: string): void {
    const points = new Map<string, number>();
    for (const [k, unopened] of this.unopenedPoints) if (unopened.logDir === logDir) points.set(k, unopened.offset);
    for (const log of this.logs.values()) {
      if (log.recoveryPoint > 0 && this.logDirOf(log) === logDir) points.set(key(log.topic, log.partition), log.recoveryPoint);
    }
    const text = encodeRecoveryPoints(points);
    if (this.checkpointText.get(logDir) === text) return;
    this.fs.writeFileAtomic(joinPath(logDir, RECOVERY_POINT_CHECKPOINT), text);
    this.checkpointText.set(logDir, text);
  }

  /** `checkpointRecoveryPoints`, remembering a failure instead of throwing; returns success. */
  private tryCheckpoint(logDir: string): boolean {
    try {
      this.checkpointRecoveryPoints(logDir);
      this.checkpointFailures.delete(logDir);
      return true;
    } catch (err) {
      // The previous file stays: its points are lower than today's, so it only costs scanning.
      const message = (err as Error).message;
      if (this.checkpointFailures.get(logDir) !== message) this.onCheckpointFailure?.(logDir, message);
      this.checkpointFailures.set(logDir, message);
      return false;
    }
  }

  /** How `open` recovered the logs (see `RecoverySummary`). */
  recoverySummary(): RecoverySummary {
    const summary: RecoverySummary = { trusted: 0, fromRecoveryPoint: 0, scanned: 0, scannedBytes: 0 };
    for (const log of this.logs.values()) {
      summary.scannedBytes += log.recoveryScannedBytes;
      if (log.activeSegmentRecovery === 'trusted') summary.trusted += 1;
      else if (log.activeSegmentRecovery === 'from-recovery-point') summary.fromRecoveryPoint += 1;
      else if (log.activeSegmentRecovery === 'scanned') summary.scanned += 1;
    }
    return summary;
  }

  flushAll(): void {
    this.forEachOnline((log) => log.flush());
  }

  /**
   * Closes every log (each syncs its data), writes each log dir's recovery points, then the clean
   * shutdown marker in every log dir where all partitions closed cleanly and the checkpoint was
   * written. A marker that cannot be written is skipped: the next start scans, which is always safe.
   */
  closeAll(): void {
    for (const log of this.logs.values()) {
      if (log.offline) this.uncleanDirs.add(this.logDirOf(log));
      try {
        log.close();
      } catch (err) {
        this.reportFailure(log, err);
      }
    }
    const written = this.logDirs.filter((logDir) => this.tryCheckpoint(logDir));
    this.logs.clear();
    for (const logDir of written) {
      if (this.uncleanDirs.has(logDir)) continue;
      try {
        this.fs.writeFileAtomic(joinPath(logDir, CLEAN_SHUTDOWN_FILE), '{"version":0}\n');
      } catch {
        // no marker: the next start recovers this dir as after a crash
      }
    }
  }

  private logDirOf(log: Log): string {
    return this.logDirs.find((d) => log.dir.startsWith(d + '/')) ?? this.logDirs[0]!;
  }

  /** Runs `step` for each online log; a storage failure is reported, not thrown. */
  private forEachOnline(step: (log: Log) => void): void {
    for (const log of this.logs.values()) {
      if (log.offline) continue;
      try {
        step(log);
      } catch (err) {
        if (!(err instanceof LogStorageError)) throw err;
        this.reportFailure(log, err);
      }
    }
  }

  private reportFailure(log: Log, err: unknown): void {
    this.uncleanDirs.add(this.logDirOf(log));
    this.reports.push({ topic: log.topic, partition: log.partition, dir: log.dir, issues: log.issues, error: (err as Error).message });
  }
}

/**
 * Whether the log dir was shut down cleanly. The marker is removed (durably) at once: from here
 * on the dir may change, and a crash must be recovered from.
 */
function takeCleanShutdownMarker(fs: FileSystem, logDir: string): boolean {
  const path = joinPath(logDir, CLEAN_SHUTDOWN_FILE);
  if (!fs.exists(path)) return false;
  fs.remove(path);
  fs.syncDirectory(logDir);
  return true;
}

/** Reads a recovery point checkpoint: the points by partition key, or why there are none. */
function readRecoveryPointCheckpoint(fs: FileSystem, path: string): RecoveryPointsRead {
  const parsed = readCheckpoint(fs, path);
  if (parsed === undefined) return { kind: 'none', reason: `${path} is missing` };
  if (typeof parsed === 'string') return { kind: 'none', reason: `${path} does not parse: ${parsed}` };
  const points = new Map<string, number>();
  for (const entry of parsed) {
    const partition = parseOffset(entry[1]);
    const offset = parseOffset(entry[2]);
    if (entry.length !== 3 || entry[0]!.length === 0 || partition === undefined || offset === undefined || partition < 0 || offset < 0) {
      return { kind: 'none', reason: `${path} has a bad entry '${entry.join(' ')}'` };
    }
    points.set(key(entry[0]!, partition), offset);
  }
  return { kind: 'points', points };
}

/** Kafka's checkpoint text for the non-zero points, sorted so equal content gives equal text. */
function encodeRecoveryPoints(points: ReadonlyMap<string, number>): string {
  const entries = [...points]
    .filter(([, offset]) => offset > 0)
    .map(([k, offset]) => {
      const at = k.indexOf('\u0000');
      return [k.slice(0, at), Number(k.slice(at + 1)), offset] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  return encodeCheckpoint(entries);
}

/** Writes `meta.properties` in a fresh log dir, or checks the one there. */
export function checkMetaProperties(fs: FileSystem, logDir: string, clusterId: string, nodeId: number): void {
  const path = joinPath(logDir, META_PROPERTIES);
  if (!fs.exists(path)) {
    fs.writeFileAtomic(path, `#\n#Written by tributary\nversion=${META_VERSION}\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
    return;
  }
  const props = parseProperties(fs.readFile(path).toString('utf8'));
  if (props.get('version') !== String(META_VERSION)) throw new MetaPropertiesError(`${path}: unsupported version ${props.get('version')}`);
  if (props.get('cluster.id') !== clusterId) {
    throw new MetaPropertiesError(`${path}: cluster.id ${props.get('cluster.id')} does not match ${clusterId}`);
  }
  if (props.get('node.id') !== String(nodeId)) throw new MetaPropertiesError(`${path}: node.id ${props.get('node.id')} does not match ${nodeId}`);
}

