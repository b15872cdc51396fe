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
 * Creating a partition does no fsync at all (see `log.ts`: a new partition settles before its
 * first record), so creating many partitions at once costs no disk flushes.
 *
 * Not re-entrant; the broker's single thread owns it. It never reads the clock: callers pass nowMs.
 */

import type { FileSystem } from '../io/fs.js';
import { joinPath } from '../io/fs.js';
import { LogStorageError } from './error-codes.js';
import { Log, type LogIssue } from './log.js';
import { parseProperties } from '../config/properties.js';
import type { LogConfig } from '../config/topic-config.js';

export const META_PROPERTIES = 'meta.properties';
export const META_VERSION = 1;
export const CLEAN_SHUTDOWN_FILE = '.tributary_cleanshutdown';
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
}

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
  private readonly logs = new Map<string, Log>();
  private readonly partitionCountByDir = new Map<string, number>();
  /** Log dirs with a partition that failed to open or went offline: no clean marker on close. */
  private readonly uncleanDirs = new Set<string>();

  private constructor(private readonly fs: FileSystem, readonly logDirs: readonly string[]) {
    for (const dir of logDirs) this.partitionCountByDir.set(dir, 0);
  }

  static open(options: LogManagerOptions): LogManager {
    if (options.logDirs.length === 0) throw new Error('at least one log dir is required');
    const manager = new LogManager(options.fs, options.logDirs);
    for (const logDir of options.logDirs) {
      options.fs.mkdirp(logDir);
      checkMetaProperties(options.fs, logDir, options.clusterId, options.nodeId);
      const clean = takeCleanShutdownMarker(options.fs, logDir);
      if (clean) manager.cleanShutdownDirs.push(logDir);
      manager.openPartitionsIn(logDir, options, clean);
    }
    return manager;
  }

  private openPartitionsIn(logDir: string, options: LogManagerOptions, cleanShutdown: boolean): void {
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
      try {
        const hw = options.highWatermarkFor?.(topic, partition);
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
        });
        this.add(logDir, log);
        this.reports.push({ topic, partition, dir, issues: log.issues });
      } catch (err) {
        this.uncleanDirs.add(logDir);
        this.reports.push({ topic, partition, dir, issues: [], error: (err as Error).message });
      }
    }
  }

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
    const log = Log.open({
      fs: this.fs,
      dir: joinPath(logDir, partitionDirName(options.topic, options.partition)),
      topic: options.topic,
      partition: options.partition,
      config: options.config,
      nowMs: options.nowMs,
      ...(options.topicId === undefined ? {} : { topicId: options.topicId }),
    });
    this.add(logDir, log);
    return log;
  }

  /** Closes and deletes a partition's files. Returns false if it was not here. */
  delete(topic: string, partition: number): boolean {
    const log = this.get(topic, partition);
    if (!log) return false;
    this.logs.delete(key(topic, partition));
    const logDir = this.logDirOf(log);
    this.partitionCountByDir.set(logDir, Math.max(0, (this.partitionCountByDir.get(logDir) ?? 1) - 1));
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

  maybeFlushAll(nowMs: number): void {
    this.forEachOnline((log) => log.maybeFlush(nowMs));
  }

  flushAll(): void {
    this.forEachOnline((log) => log.flush());
  }

  /**
   * Closes every log (each syncs its data), then writes the clean shutdown marker in every log
   * dir where all partitions closed cleanly. A marker that cannot be written is skipped: the next
   * start scans, which is always safe.
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
    this.logs.clear();
    for (const logDir of this.logDirs) {
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

