/**
 * In-memory `FileSystem` with fault injection, the faulty twin of `node-fs.ts`.
 *
 * Model: every file keeps two contents, `written` (what reads see, like the page cache) and
 * `durable` (what survives a crash, updated by `sync()`), plus `dirtyLow`, the lowest byte
 * position written since the last sync (bytes below it are identical in both).
 *
 * `crash(rng)` simulates a power failure: every open handle becomes unusable and each file with
 * unsynced bytes either falls back to its durable content or keeps a random torn prefix of its
 * written content (durable bytes below `dirtyLow`, then a random number of the later bytes).
 * Bytes between writes are never reordered; a torn tail is a prefix, as with ordinary
 * page-cache write-back of an append-only file. Directory operations (mkdirp, create, rename,
 * remove, truncate) are durable immediately, matching the `FileSystem` contract, except the
 * ones asked for with `{ durable: false }`: their entries stay pending until `syncDirectory`
 * of the parent, and a crash loses each pending entry with probability `entryLossProbability`
 * (a lost directory takes its whole subtree; a lost `writeFileAtomic` brings back the file it
 * replaced, or nothing). A non-durable `writeFileAtomic` writes no bytes durably, so a kept file
 * falls back to empty or a torn prefix like any unsynced file.
 *
 * `syncAsync()` is modelled as a sync that takes effect when it completes: the bytes it covers
 * (those written before the call and not rewritten or truncated since) become durable only then,
 * and a crash before that loses them like any unsynced bytes (the pending promise rejects).
 * Completions are queued: by default each runs in a microtask (after the current synchronous
 * code); with `holdAsyncSyncs` they wait for `completeAsyncSyncs`, so a test can crash while
 * syncs are in flight or complete them in any order.
 *
 * `failNextSync(pathPart)` makes the next `sync()` of a file whose path contains `pathPart`
 * throw an EIO error without making anything durable (for `syncAsync()`, its promise rejects).
 */

import type { DurabilityOptions, FileHandle, FileSystem, OpenOptions } from './fs.js';
import { parentPath } from './fs.js';

/** A small seeded PRNG (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Bytes {
  buf: Buffer = Buffer.alloc(0);
  size = 0;

  ensure(capacity: number): void {
    if (capacity <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(capacity, this.buf.length * 2, 256));
    this.buf.copy(next, 0, 0, this.size);
    this.buf = next;
  }

  write(src: Buffer, position: number): void {
    this.ensure(position + src.length);
    if (position > this.size) this.buf.fill(0, this.size, position);
    src.copy(this.buf, position);
    this.size = Math.max(this.size, position + src.length);
  }

  resize(size: number): void {
    this.ensure(size);
    if (size > this.size) this.buf.fill(0, this.size, size);
    this.size = size;
  }

  copyFrom(other: Bytes, from: number): void {
    this.resize(other.size);
    if (from < other.size) other.buf.copy(this.buf, from, from, other.size);
  }

  /** Copies `other[from, to)` over the same positions, growing this to at least `to` bytes. */
  copyRange(other: Bytes, from: number, to: number): void {
    if (to > this.size) this.resize(to);
    if (from < to) other.buf.copy(this.buf, from, from, to);
  }

  view(): Buffer {
    return this.buf.subarray(0, this.size);
  }
}

/** An async sync not completed yet; `laterDirtyLow` tracks writes after its call. */
interface PendingSync {
  file: MemFile;
  path: string;
  sizeAtCall: number;
  /** Lowest position written or cut since the call: bytes from here on are not what it saw. */
  laterDirtyLow: number;
  failure: Error | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
}

class MemFile {
  written = new Bytes();
  durable = new Bytes();
  dirtyLow = Number.POSITIVE_INFINITY;
  readonly pendingSyncs = new Set<PendingSync>();

  markDirty(position: number): void {
    this.dirtyLow = Math.min(this.dirtyLow, position);
    for (const pending of this.pendingSyncs) pending.laterDirtyLow = Math.min(pending.laterDirtyLow, position);
  }

  /**
   * An async sync completed: the bytes it saw that are still unchanged, [0, upTo), become
   * durable. Bytes written after its call stay as unsynced as they were.
   */
  completeSync(pending: PendingSync): void {
    this.pendingSyncs.delete(pending);
    const upTo = Math.min(pending.sizeAtCall, this.written.size, pending.laterDirtyLow);
    if (this.dirtyLow >= upTo) return;
    const from = Math.min(this.dirtyLow, this.durable.size);
    this.durable.copyRange(this.written, from, upTo);
    this.dirtyLow = this.written.size === upTo && this.durable.size === upTo ? Number.POSITIVE_INFINITY : upTo;
  }

  sync(): void {
    if (this.dirtyLow === Number.POSITIVE_INFINITY && this.durable.size === this.written.size) return;
    const from = Math.min(this.dirtyLow, this.written.size, this.durable.size);
    this.durable.copyFrom(this.written, from);
    this.dirtyLow = Number.POSITIVE_INFINITY;
  }

  /** Applies a crash: keeps durable bytes, or a torn prefix of the written ones. */
  crash(rng: () => number, tornProbability: number): void {
    if (this.dirtyLow === Number.POSITIVE_INFINITY) return;
    const low = Math.min(this.dirtyLow, this.written.size);
    if (rng() < tornProbability && this.written.size > low) {
      const keep = low + Math.floor(rng() * (this.written.size - low + 1));
      this.written.resize(keep);
      this.durable.copyFrom(this.written, Math.min(low, this.durable.size));
    } else {
      this.written.copyFrom(this.durable, Math.min(low, this.durable.size));
    }
    this.dirtyLow = Number.POSITIVE_INFINITY;
  }
}

function fsError(code: string, message: string): Error {
  const err = new Error(`${code}: ${message}`) as Error & { code: string };
  err.code = code;
  return err;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

class MemHandle implements FileHandle {
  closed = false;

  constructor(
    readonly path: string,
    private readonly file: MemFile,
    private readonly owner: MemoryFileSystem,
    private readonly generation: number,
  ) {}

  private check(): MemFile {
    if (this.closed) throw fsError('EBADF', `handle closed: ${this.path}`);
    if (this.generation !== this.owner.generation) throw fsError('EBADF', `handle lost in crash: ${this.path}`);
    return this.file;
  }

  size(): number {
    return this.check().written.size;
  }

  read(buf: Buffer, bufOffset: number, length: number, position: number): number {
    const file = this.check();
    const end = Math.min(file.written.size, position + length);
    if (end <= position) return 0;
    file.written.buf.copy(buf, bufOffset, position, end);
    return end - position;
  }

  append(chunks: Buffer | readonly Buffer[]): void {
    const file = this.check();
    const list = Buffer.isBuffer(chunks) ? [chunks] : chunks;
    file.markDirty(file.written.size);
    for (const chunk of list) file.written.write(chunk, file.written.size);
  }

  writeAt(buf: Buffer, position: number): void {
    const file = this.check();
    file.markDirty(Math.min(position, file.written.size));
    file.written.write(buf, position);
  }

  truncate(size: number): void {
    const file = this.check();
    if (size < file.written.size) {
      for (const pending of file.pendingSyncs) pending.laterDirtyLow = Math.min(pending.laterDirtyLow, size);
      file.written.resize(size);
      if (file.durable.size > size) file.durable.resize(size);
      if (file.dirtyLow > size) file.dirtyLow = file.dirtyLow === Number.POSITIVE_INFINITY ? file.dirtyLow : size;
    } else if (size > file.written.size) {
      file.markDirty(file.written.size);
      file.written.resize(size);
    }
  }

  sync(): void {
    const file = this.check();
    this.owner.beforeSync(this.path);
    file.sync();
  }

  syncAsync(): Promise<void> {
    let file: MemFile;
    try {
      file = this.check();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.owner.startAsyncSync(this.path, file);
  }

  close(): void {
    this.closed = true;
  }
}

export interface CrashOptions {
  /** Seeded PRNG deciding which files tear and where. */
  rng: () => number;
  /** Probability that a file with unsynced bytes keeps a torn prefix instead of dropping them (default 0.5). */
  tornProbability?: number;
  /** Probability that a directory entry created with `{ durable: false }` and not synced is lost (default 0.5). */
  entryLossProbability?: number;
}

/** A directory entry made with `{ durable: false }`, not yet covered by `syncDirectory`. */
interface PendingEntry {
  kind: 'file' | 'dir';
  /** The durable file this entry replaced (non-durable `writeFileAtomic` over an existing file). */
  previous?: MemFile;
}

export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, MemFile>();
  private readonly dirs = new Set<string>(['/']);
  private readonly syncFailures: string[] = [];
  private readonly pending = new Map<string, PendingEntry>();
  /** Bumped by `crash()`; handles from an older generation throw. */
  generation = 0;
  /** Number of successful file syncs (async ones when they complete), for tests that count fsyncs. */
  syncCount = 0;
  /** Queue async syncs until `completeAsyncSyncs` instead of completing each in a microtask. */
  holdAsyncSyncs = false;
  private readonly asyncSyncs: PendingSync[] = [];
  /** Number of directory syncs (`syncDirectory`, and the ones durable operations imply). */
  directorySyncCount = 0;

  mkdirp(path: string, options: DurabilityOptions = {}): void {
    let current = normalize(path);
    const toAdd: string[] = [];
    while (!this.dirs.has(current)) {
      if (this.files.has(current)) throw fsError('EEXIST', `file exists: ${current}`);
      toAdd.push(current);
      current = parentPath(current);
    }
    for (const dir of toAdd) {
      this.dirs.add(dir);
      if (options.durable === false) this.pending.set(dir, { kind: 'dir' });
    }
    if (toAdd.length > 0 && options.durable !== false) this.directorySyncCount += toAdd.length;
  }

  readdir(path: string): string[] {
    const dir = normalize(path);
    if (!this.dirs.has(dir)) throw fsError('ENOENT', `no such directory: ${dir}`);
    const prefix = dir === '/' ? '/' : dir + '/';
    const names = new Set<string>();
    for (const key of [...this.files.keys(), ...this.dirs]) {
      if (key.startsWith(prefix) && key.length > prefix.length) {
        names.add(key.slice(prefix.length).split('/')[0]!);
      }
    }
    return [...names].sort();
  }

  exists(path: string): boolean {
    const p = normalize(path);
    return this.files.has(p) || this.dirs.has(p);
  }

  isDirectory(path: string): boolean {
    return this.dirs.has(normalize(path));
  }

  sizeOf(path: string): number {
    const file = this.files.get(normalize(path));
    if (!file) throw fsError('ENOENT', `no such file: ${path}`);
    return file.written.size;
  }

  rename(from: string, to: string): void {
    const src = normalize(from);
    const dst = normalize(to);
    this.requireParent(dst);
    this.directorySyncCount += 1;
    const file = this.files.get(src);
    if (file) {
      this.files.delete(src);
      this.files.set(dst, file);
      this.pending.delete(src);
      this.pending.delete(dst);
      return;
    }
    if (!this.dirs.has(src)) throw fsError('ENOENT', `no such file or directory: ${src}`);
    if (this.exists(dst)) throw fsError('EEXIST', `target exists: ${dst}`);
    const prefix = src + '/';
    for (const key of [...this.files.keys()]) {
      if (key.startsWith(prefix)) {
        this.files.set(dst + key.slice(src.length), this.files.get(key)!);
        this.files.delete(key);
      }
    }
    for (const key of [...this.dirs]) {
      if (key === src || key.startsWith(prefix)) {
        this.dirs.delete(key);
        this.dirs.add(dst + key.slice(src.length));
      }
    }
    // The renamed entry itself is durable now; entries inside it keep their state.
    this.pending.delete(src);
    for (const [key, entry] of [...this.pending]) {
      if (!key.startsWith(prefix)) continue;
      this.pending.delete(key);
      this.pending.set(dst + key.slice(src.length), entry);
    }
  }

  remove(path: string): void {
    const p = normalize(path);
    this.files.delete(p);
    this.pending.delete(p);
    if (!this.dirs.has(p)) return;
    const prefix = p + '/';
    for (const key of [...this.files.keys()]) if (key.startsWith(prefix)) this.files.delete(key);
    for (const key of [...this.dirs]) if (key === p || key.startsWith(prefix)) this.dirs.delete(key);
    for (const key of [...this.pending.keys()]) if (key === p || key.startsWith(prefix)) this.pending.delete(key);
  }

  open(path: string, options: OpenOptions = {}): FileHandle {
    const p = normalize(path);
    if (this.dirs.has(p)) throw fsError('EISDIR', `is a directory: ${p}`);
    let file = this.files.get(p);
    if (!file) {
      if (!options.create) throw fsError('ENOENT', `no such file: ${p}`);
      this.requireParent(p);
      file = new MemFile();
      this.files.set(p, file);
      if (options.durable === false) this.pending.set(p, { kind: 'file' });
      else this.directorySyncCount += 1;
    }
    const handle = new MemHandle(p, file, this, this.generation);
    if (options.truncate) handle.truncate(0);
    return handle;
  }

  readFile(path: string): Buffer {
    const file = this.files.get(normalize(path));
    if (!file) throw fsError('ENOENT', `no such file: ${path}`);
    return Buffer.from(file.written.view());
  }

  writeFileAtomic(path: string, data: Buffer | string, options: DurabilityOptions = {}): void {
    if (options.durable === false) {
      this.writeFilePending(normalize(path), typeof data === 'string' ? Buffer.from(data) : data);
      return;
    }
    const tmp = path + '.tmp';
    const handle = this.open(tmp, { create: true, truncate: true });
    try {
      handle.append(typeof data === 'string' ? Buffer.from(data) : data);
      handle.sync();
    } finally {
      handle.close();
    }
    this.rename(tmp, path);
  }

  syncDirectory(path: string): void {
    const dir = normalize(path);
    if (!this.dirs.has(dir)) throw fsError('ENOENT', `no such directory: ${dir}`);
    for (const key of [...this.pending.keys()]) if (parentPath(key) === dir) this.pending.delete(key);
    this.directorySyncCount += 1;
  }

  /**
   * Non-durable `writeFileAtomic`: readers see the new bytes at once; nothing is durable. The
   * temporary file is not modelled: a crash shows the replaced file (or nothing) or the new one.
   */
  private writeFilePending(p: string, data: Buffer): void {
    if (this.dirs.has(p)) throw fsError('EISDIR', `is a directory: ${p}`);
    this.requireParent(p);
    const previous = this.pending.has(p) ? this.pending.get(p)!.previous : this.files.get(p);
    const file = new MemFile();
    file.written.write(data, 0);
    file.markDirty(0);
    this.files.set(p, file);
    this.pending.set(p, previous ? { kind: 'file', previous } : { kind: 'file' });
  }

  /** Entries made with `{ durable: false }` and not yet synced into their directory. */
  get pendingEntryCount(): number {
    return this.pending.size;
  }

  // ---- fault injection -------------------------------------------------------------------

  /** The next sync of a file whose path contains `pathPart` ('' = any file) throws EIO. */
  failNextSync(pathPart = ''): void {
    this.syncFailures.push(pathPart);
  }

  /**
   * Starts an async sync of `file` (see the header). A failure armed with `failNextSync` is taken
   * now and reported when the sync completes, like a real fsync's error.
   */
  startAsyncSync(path: string, file: MemFile): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSync = {
        file, path, sizeAtCall: file.written.size, laterDirtyLow: Number.POSITIVE_INFINITY,
        failure: this.takeSyncFailure(path), resolve, reject,
      };
      file.pendingSyncs.add(pending);
      this.asyncSyncs.push(pending);
      if (!this.holdAsyncSyncs) queueMicrotask(() => this.completeAsyncSync(pending));
    });
  }

  /** Async syncs started and not completed yet. */
  get pendingAsyncSyncCount(): number {
    return this.asyncSyncs.length;
  }

  /**
   * Completes up to `count` pending async syncs, oldest first or, with `rng`, in a random order.
   * Their promises settle now (callbacks run when the caller next awaits). Returns how many.
   */
  completeAsyncSyncs(count = Number.POSITIVE_INFINITY, rng?: () => number): number {
    let done = 0;
    while (done < count && this.asyncSyncs.length > 0) {
      const at = rng ? Math.floor(rng() * this.asyncSyncs.length) : 0;
      this.completeAsyncSync(this.asyncSyncs[at]!);
      done += 1;
    }
    return done;
  }

  private completeAsyncSync(pending: PendingSync): void {
    const at = this.asyncSyncs.indexOf(pending);
    if (at < 0) return;
    this.asyncSyncs.splice(at, 1);
    pending.file.pendingSyncs.delete(pending);
    if (pending.failure) {
      pending.reject(pending.failure);
    } else {
      pending.file.completeSync(pending);
      this.syncCount += 1;
      pending.resolve();
    }
  }

  /** Simulates power loss: drops or tears unsynced bytes and invalidates every open handle. */
  crash(options: CrashOptions): void {
    // Syncs in flight never complete: what they covered is as unsynced as the rest.
    for (const pending of this.asyncSyncs.splice(0)) {
      pending.file.pendingSyncs.delete(pending);
      pending.reject(fsError('EIO', `sync lost in crash: ${pending.path}`));
    }
    const torn = options.tornProbability ?? 0.5;
    for (const key of [...this.files.keys()].sort()) this.files.get(key)!.crash(options.rng, torn);
    this.loseEntries(options.rng, options.entryLossProbability ?? 0.5, torn);
    this.generation += 1;
  }

  /** Drops each pending entry with probability `loss`; parents are decided before children. */
  private loseEntries(rng: () => number, loss: number, torn: number): void {
    const entries = [...this.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.pending.clear();
    for (const [key, entry] of entries) {
      if (!this.dirs.has(parentPath(key)) || rng() >= loss) continue;
      if (entry.kind === 'dir') {
        this.remove(key);
      } else if (entry.previous) {
        entry.previous.crash(rng, torn);
        this.files.set(key, entry.previous);
      } else {
        this.files.delete(key);
      }
    }
  }

  /** Overwrites bytes of a file in place, durably (simulates media corruption). */
  corrupt(path: string, position: number, bytes: Buffer): void {
    const file = this.files.get(normalize(path));
    if (!file) throw fsError('ENOENT', `no such file: ${path}`);
    file.written.write(bytes, position);
    file.durable.write(bytes, position);
  }

  /** Bytes a crash would certainly keep. */
  durableSize(path: string): number {
    const file = this.files.get(normalize(path));
    if (!file) throw fsError('ENOENT', `no such file: ${path}`);
    return Math.min(file.durable.size, file.dirtyLow);
  }

  /** Called by handles before a sync; throws if a failure was armed for this path. */
  beforeSync(path: string): void {
    const failure = this.takeSyncFailure(path);
    if (failure) throw failure;
    this.syncCount += 1;
  }

  private takeSyncFailure(path: string): Error | undefined {
    const at = this.syncFailures.findIndex((part) => path.includes(part));
    if (at < 0) return undefined;
    this.syncFailures.splice(at, 1);
    return fsError('EIO', `injected sync failure: ${path}`);
  }

  private requireParent(path: string): void {
    const parent = parentPath(path);
    if (!this.dirs.has(parent)) throw fsError('ENOENT', `no such directory: ${parent}`);
  }
}
