/**
 * The real `FileSystem`: synchronous `node:fs` calls.
 *
 * Appends use positional vectored writes at the end offset this handle tracks (a handle is the
 * only writer of its file). `syncAsync` is `fs.fsync` with a callback: it runs in libuv's thread
 * pool while the event loop goes on; closing the handle meanwhile defers the descriptor's
 * release until every such sync settled, so an fsync never lands on a reused descriptor number. Creating a file or directory and renaming fsync the parent
 * directory so the directory entry is durable, as the `FileSystem` contract promises, unless the
 * caller asked for `{ durable: false }`. Removal does not fsync (see the contract).
 */

import * as fs from 'node:fs';
import { resolve } from 'node:path';
import type { DurabilityOptions, FileHandle, FileSystem, OpenOptions } from './fs.js';
import { parentPath } from './fs.js';

function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    // Some platforms refuse fsync on directories; that is not a data error.
    if ((err as NodeJS.ErrnoException).code !== 'EISDIR' && (err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

class NodeHandle implements FileHandle {
  private end: number;
  private fd: number;
  /** Async syncs still running, and the descriptor `close()` left for them to release. */
  private syncsInFlight = 0;
  private fdToRelease = -1;

  constructor(readonly path: string, fd: number) {
    this.fd = fd;
    this.end = fs.fstatSync(fd).size;
  }

  size(): number {
    return this.end;
  }

  read(buf: Buffer, bufOffset: number, length: number, position: number): number {
    let total = 0;
    while (total < length) {
      const n = fs.readSync(this.fd, buf, bufOffset + total, length - total, position + total);
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  append(chunks: Buffer | readonly Buffer[]): void {
    let list = Buffer.isBuffer(chunks) ? [chunks] : [...chunks];
    let remaining = list.reduce((sum, b) => sum + b.length, 0);
    while (remaining > 0) {
      const n = fs.writevSync(this.fd, list, this.end);
      this.end += n;
      remaining -= n;
      list = dropBytes(list, n);
    }
  }

  writeAt(buf: Buffer, position: number): void {
    let done = 0;
    while (done < buf.length) {
      done += fs.writeSync(this.fd, buf, done, buf.length - done, position + done);
    }
    this.end = Math.max(this.end, position + buf.length);
  }

  truncate(size: number): void {
    fs.ftruncateSync(this.fd, size);
    this.end = size;
  }

  sync(): void {
    fs.fsyncSync(this.fd);
  }

  syncAsync(): Promise<void> {
    const fd = this.fd;
    if (fd < 0) return Promise.reject(Object.assign(new Error(`EBADF: handle closed: ${this.path}`), { code: 'EBADF' }));
    this.syncsInFlight += 1;
    return new Promise<void>((resolve, reject) => {
      fs.fsync(fd, (err) => {
        this.syncsInFlight -= 1;
        if (this.syncsInFlight === 0 && this.fdToRelease >= 0) {
          // A failed close of a descriptor nobody uses any more leaves nothing to do.
          fs.close(this.fdToRelease, () => undefined);
          this.fdToRelease = -1;
        }
        if (err) reject(err);
        else resolve();
      });
    });
  }

  close(): void {
    if (this.fd >= 0) {
      if (this.syncsInFlight > 0) this.fdToRelease = this.fd;
      else fs.closeSync(this.fd);
    }
    this.fd = -1;
  }
}

function dropBytes(list: Buffer[], n: number): Buffer[] {
  let skip = n;
  const out: Buffer[] = [];
  for (const b of list) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

export class NodeFileSystem implements FileSystem {
  mkdirp(path: string, options: DurabilityOptions = {}): void {
    const first = fs.mkdirSync(path, { recursive: true });
    if (first === undefined || options.durable === false) return;
    // Each created directory's entry lives in its parent: sync the parent of the first one
    // created and every created directory but the deepest.
    const top = resolve(first);
    for (let dir = resolve(path); ; dir = parentPath(dir)) {
      syncDirectory(parentPath(dir));
      if (dir === top || parentPath(dir) === dir) break;
    }
  }

  readdir(path: string): string[] {
    return fs.readdirSync(path).sort();
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  isDirectory(path: string): boolean {
    try {
      return fs.statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  sizeOf(path: string): number {
    return fs.statSync(path).size;
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
    syncDirectory(parentPath(to));
  }

  remove(path: string): void {
    fs.rmSync(path, { recursive: true, force: true });
  }

  open(path: string, options: OpenOptions = {}): FileHandle {
    const existed = fs.existsSync(path);
    let flags = 'r+';
    if (options.create && !existed) flags = 'w+';
    const fd = fs.openSync(path, flags);
    if (options.truncate) fs.ftruncateSync(fd, 0);
    if (!existed && options.durable !== false) syncDirectory(parentPath(path));
    return new NodeHandle(path, fd);
  }

  readFile(path: string): Buffer {
    return fs.readFileSync(path);
  }

  writeFileAtomic(path: string, data: Buffer | string, options: DurabilityOptions = {}): void {
    const durable = options.durable !== false;
    const tmp = path + '.tmp';
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (durable) this.rename(tmp, path);
    else fs.renameSync(tmp, path);
  }

  syncDirectory(path: string): void {
    syncDirectory(path);
  }
}
