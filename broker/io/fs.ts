/**
 * The `FileSystem` interface: the only way storage touches files.
 *
 * Synchronous on purpose: the broker is single-threaded, appends land in the page cache and
 * durability is explicit (`FileHandle.sync()`). The one exception is `FileHandle.syncAsync()`:
 * an fsync can take seconds on a busy disk (a rolled 1 GiB segment), so it may run off the event
 * loop and report back. Two implementations exist: `node-fs.ts` (real files) and `memory-fs.ts`
 * (an in-memory twin that can lose unsynced bytes, tear writes and fail syncs, for tests and the
 * simulator).
 *
 * Contracts every implementation keeps:
 * - Paths are POSIX-style strings joined with '/'.
 * - `append` writes all chunks at the current end of the file, in order, as one logical write.
 *   It does not make them durable; only `sync()` or a completed `syncAsync()` does.
 * - `syncAsync()` makes durable at least every byte written before the call, once its promise
 *   resolves (bytes written while it runs may or may not be covered); until then nothing is
 *   promised. Failures reject the promise, never throw. The handle stays usable meanwhile, and
 *   `close()` may be called while it runs: the file is released once it settles.
 * - Metadata operations (mkdirp, create, rename, truncate) are durable when they return, unless
 *   the caller passes `{ durable: false }` (`node-fs` fsyncs the parent directory for
 *   mkdirp/create/rename; truncation is treated as durable because storage always follows it
 *   with `sync()`). `remove` is not synced by `node-fs`: a removal that must survive a crash is
 *   followed by `syncDirectory(parent)` (the in-memory twin treats removal as durable at once).
 * - `{ durable: false }` skips every fsync: a crash may lose the new directory entry (the
 *   file or directory is simply gone) and, for `writeFileAtomic`, may leave the file missing,
 *   with its previous content, empty or with a prefix of the new bytes; readers must validate.
 *   The entry becomes durable with `syncDirectory(parent)`, the bytes with a file `sync()`.
 *   Storage uses this only for a brand-new partition that holds no records yet (see `log.ts`).
 * - `writeFileAtomic` (durable, the default) leaves either the old or the new content, never a
 *   mix, even after a crash.
 * - Failures throw (node errors carry `code`, e.g. 'EIO', 'ENOENT'); callers map them to
 *   KAFKA_STORAGE_ERROR.
 */

/** `durable: false` skips the fsyncs that make a created entry survive a crash (default true). */
export interface DurabilityOptions {
  durable?: boolean;
}

export interface OpenOptions extends DurabilityOptions {
  /** Create the file if it does not exist (default false: a missing file throws ENOENT). */
  create?: boolean;
  /** Truncate the file to zero bytes on open. */
  truncate?: boolean;
}

export interface FileHandle {
  readonly path: string;
  /** Current size in bytes, including appended but unsynced bytes. */
  size(): number;
  /** Reads up to `length` bytes at `position` into `buf[bufOffset..]`; returns bytes read (0 at EOF). */
  read(buf: Buffer, bufOffset: number, length: number, position: number): number;
  /** Appends every chunk at the end of the file, in order. */
  append(chunks: Buffer | readonly Buffer[]): void;
  /** Overwrites bytes at `position` (may extend the file). */
  writeAt(buf: Buffer, position: number): void;
  /** Shrinks (or extends with zeros) the file to `size` bytes. */
  truncate(size: number): void;
  /** Makes every byte written so far durable. */
  sync(): void;
  /** Like `sync()`, off the caller's thread: durable once the promise resolves (see the contract). */
  syncAsync(): Promise<void>;
  close(): void;
}

export interface FileSystem {
  /** Creates the directory and its parents; no error if it exists. */
  mkdirp(path: string, options?: DurabilityOptions): void;
  /** Names (not paths) of the entries in a directory, sorted. Throws ENOENT if missing. */
  readdir(path: string): string[];
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Size in bytes of a file. Throws ENOENT if missing. */
  sizeOf(path: string): number;
  /** Atomically renames a file or directory, replacing a file at `to`. */
  rename(from: string, to: string): void;
  /** Removes a file or a directory tree; no error if missing. */
  remove(path: string): void;
  open(path: string, options?: OpenOptions): FileHandle;
  readFile(path: string): Buffer;
  /**
   * Writes `path.tmp`, syncs it, renames it over `path` and syncs the directory. With
   * `{ durable: false }`: the same steps without either sync.
   */
  writeFileAtomic(path: string, data: Buffer | string, options?: DurabilityOptions): void;
  /** Makes the entries of a directory (creations, renames, removals in it) durable. */
  syncDirectory(path: string): void;
}

/** Joins path parts with '/', without touching `node:path` (storage is core code). */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('/').replace(/\/{2,}/g, '/');
}

/** The parent directory of a path ('.' for a bare name). */
export function parentPath(path: string): string {
  const at = path.lastIndexOf('/');
  if (at < 0) return '.';
  if (at === 0) return '/';
  return path.slice(0, at);
}
