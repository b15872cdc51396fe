/**
 * The `FileSystem` interface: the only way storage touches files.
 *
 * Synchronous on purpose: the broker is single-threaded, appends land in the page cache and
 * durability is explicit (`FileHandle.sync()`). Two implementations exist: `node-fs.ts` (real
 * files) and `memory-fs.ts` (an in-memory twin that can lose unsynced bytes, tear writes and fail
 * syncs, for tests and the simulator).
 *
 * Contracts every implementation keeps:
 * - Paths are POSIX-style strings joined with '/'.
 * - `append` writes all chunks at the current end of the file, in order, as one logical write.
 *   It does not make them durable; only `sync()` does.
 * - Metadata operations (create, rename, remove, truncate) are durable when they return
 *   (`node-fs` fsyncs the parent directory for rename/create; truncation is treated as durable
 *   because storage always follows it with `sync()`).
 * - `writeFileAtomic` leaves either the old or the new content, never a mix, even after a crash.
 * - Failures throw (node errors carry `code`, e.g. 'EIO', 'ENOENT'); callers map them to
 *   KAFKA_STORAGE_ERROR.
 */

export interface OpenOptions {
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
  close(): void;
}

export interface FileSystem {
  /** Creates the directory and its parents; no error if it exists. */
  mkdirp(path: string): void;
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
  /** Writes `path.tmp`, syncs it, renames it over `path` and syncs the directory. */
  writeFileAtomic(path: string, data: Buffer | string): void;
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
