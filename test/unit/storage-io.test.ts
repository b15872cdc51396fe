import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystem } from '../../broker/io/fs.js';
import { MemoryFileSystem, seededRandom } from '../../broker/io/memory-fs.js';
import { NodeFileSystem } from '../../broker/io/node-fs.js';

function contract(name: string, make: () => { fs: FileSystem; root: string; done: () => void }): void {
  test(`${name}: open, append, read, writeAt, truncate, size`, (t) => {
    const { fs, root, done } = make();
    try {
      fs.mkdirp(`${root}/a/b`);
      const h = fs.open(`${root}/a/b/f`, { create: true });
      h.append([Buffer.from('hello '), Buffer.from('world')]);
      h.append(Buffer.from('!'));
      t.is(h.size(), 12);
      const buf = Buffer.alloc(20);
      t.is(h.read(buf, 0, 20, 6), 6);
      t.is(buf.subarray(0, 6).toString(), 'world!');
      h.writeAt(Buffer.from('J'), 6);
      h.truncate(9);
      h.sync();
      h.close();
      t.is(fs.readFile(`${root}/a/b/f`).toString(), 'hello Jor');
      t.is(fs.sizeOf(`${root}/a/b/f`), 9);
      const again = fs.open(`${root}/a/b/f`);
      t.is(again.size(), 9, 'a reopened handle appends at the end');
      again.append(Buffer.from('ld'));
      again.close();
      t.is(fs.readFile(`${root}/a/b/f`).toString(), 'hello Jorld');
    } finally {
      done();
    }
  });

  test(`${name}: readdir, exists, rename, remove, writeFileAtomic, missing files`, (t) => {
    const { fs, root, done } = make();
    try {
      fs.mkdirp(`${root}/d/sub`);
      fs.writeFileAtomic(`${root}/d/x`, 'one');
      fs.writeFileAtomic(`${root}/d/x`, 'two');
      t.deepEqual(fs.readdir(`${root}/d`), ['sub', 'x']);
      t.is(fs.readFile(`${root}/d/x`).toString(), 'two');
      t.true(fs.isDirectory(`${root}/d/sub`));
      t.false(fs.isDirectory(`${root}/d/x`));
      fs.rename(`${root}/d/x`, `${root}/d/sub/y`);
      t.false(fs.exists(`${root}/d/x`));
      fs.rename(`${root}/d`, `${root}/e`);
      t.is(fs.readFile(`${root}/e/sub/y`).toString(), 'two');
      fs.remove(`${root}/e`);
      t.false(fs.exists(`${root}/e/sub/y`));
      fs.remove(`${root}/nothing`);
      t.throws(() => fs.open(`${root}/missing`), { message: /ENOENT|no such file/ });
      t.throws(() => fs.readdir(`${root}/missing`));
    } finally {
      done();
    }
  });
}

function asyncContract(name: string, make: () => { fs: FileSystem; root: string; done: () => void }): void {
  test(`${name}: syncAsync resolves while the handle stays usable; close while it runs is safe`, async (t) => {
    const { fs, root, done } = make();
    try {
      fs.mkdirp(root);
      const h = fs.open(`${root}/f`, { create: true });
      h.append(Buffer.from('before'));
      const first = h.syncAsync();
      h.append(Buffer.from('|during'));
      t.is(h.size(), 13, 'appends go on while the sync runs');
      await first;
      const second = h.syncAsync();
      h.close();
      await second;
      t.is(fs.readFile(`${root}/f`).toString(), 'before|during');
      await t.throwsAsync(() => h.syncAsync(), { message: /EBADF|closed/ }, 'a closed handle rejects, never throws');
    } finally {
      done();
    }
  });
}

contract('memory-fs', () => ({ fs: new MemoryFileSystem(), root: '/r', done: () => undefined }));
asyncContract('memory-fs', () => ({ fs: new MemoryFileSystem(), root: '/r', done: () => undefined }));
asyncContract('node-fs', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-fs-'));
  return { fs: new NodeFileSystem(), root, done: () => rmSync(root, { recursive: true, force: true }) };
});
contract('node-fs', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-fs-'));
  return { fs: new NodeFileSystem(), root, done: () => rmSync(root, { recursive: true, force: true }) };
});

test('memory-fs crash drops unsynced bytes and keeps synced ones', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  const h = fs.open('/d/f', { create: true });
  h.append(Buffer.from('durable|'));
  h.sync();
  h.append(Buffer.from('lost'));
  t.is(fs.durableSize('/d/f'), 8);
  fs.crash({ rng: seededRandom(1), tornProbability: 0 });
  t.is(fs.readFile('/d/f').toString(), 'durable|');
  t.throws(() => h.append(Buffer.from('x')), { message: /crash/ }, 'handles from before the crash are dead');
});

test('memory-fs crash with tearing keeps a prefix of the unsynced bytes', (t) => {
  const seen = new Set<string>();
  for (let seed = 0; seed < 50; seed++) {
    const fs = new MemoryFileSystem();
    fs.mkdirp('/d');
    const h = fs.open('/d/f', { create: true });
    h.append(Buffer.from('abc'));
    h.sync();
    h.append(Buffer.from('defghij'));
    fs.crash({ rng: seededRandom(seed), tornProbability: 1 });
    const after = fs.readFile('/d/f').toString();
    t.true('abcdefghij'.startsWith(after) && after.length >= 3, after);
    seen.add(after);
    fs.open('/d/f').sync();
    fs.crash({ rng: seededRandom(seed), tornProbability: 1 });
    t.is(fs.readFile('/d/f').toString(), after, 'a second crash changes nothing');
  }
  t.true(seen.size > 3, 'different seeds tear at different points');
});

test('memory-fs crash after an unsynced overwrite reverts to the durable bytes', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  const h = fs.open('/d/f', { create: true });
  h.append(Buffer.from('0123456789'));
  h.sync();
  h.writeAt(Buffer.from('xx'), 2);
  fs.crash({ rng: seededRandom(2), tornProbability: 0 });
  t.is(fs.readFile('/d/f').toString(), '0123456789');
});

test('memory-fs failNextSync fails exactly one matching sync without making bytes durable', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  const a = fs.open('/d/a.log', { create: true });
  const b = fs.open('/d/b.index', { create: true });
  a.append(Buffer.from('aa'));
  b.append(Buffer.from('bb'));
  fs.failNextSync('.log');
  b.sync();
  t.throws(() => a.sync(), { message: /EIO/ });
  t.is(fs.durableSize('/d/a.log'), 0);
  a.sync();
  t.is(fs.durableSize('/d/a.log'), 2);
  t.is(fs.syncCount, 2);
});

test('memory-fs writeFileAtomic survives a crash whole', (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  fs.writeFileAtomic('/d/cp', 'v1');
  fs.crash({ rng: seededRandom(9), tornProbability: 1 });
  t.is(fs.readFile('/d/cp').toString(), 'v1');
});

// ---- async syncs in the crash model -------------------------------------------------------

test('memory-fs syncAsync: bytes are durable only once it completes, and only those written before the call', async (t) => {
  const fs = new MemoryFileSystem();
  fs.holdAsyncSyncs = true;
  fs.mkdirp('/d');
  const h = fs.open('/d/f', { create: true });
  h.append(Buffer.from('covered|'));
  const pending = h.syncAsync();
  h.append(Buffer.from('later'));
  t.is(fs.pendingAsyncSyncCount, 1);
  t.is(fs.durableSize('/d/f'), 0, 'nothing is durable while the sync is in flight');
  t.is(fs.completeAsyncSyncs(), 1);
  await pending;
  t.is(fs.durableSize('/d/f'), 8);
  t.is(fs.syncCount, 1);
  fs.crash({ rng: seededRandom(3), tornProbability: 0 });
  t.is(fs.readFile('/d/f').toString(), 'covered|', 'bytes written after the call stay unsynced');
});

test('memory-fs syncAsync: a crash while it is in flight loses what it covered and rejects it', async (t) => {
  for (let seed = 0; seed < 20; seed++) {
    const fs = new MemoryFileSystem();
    fs.holdAsyncSyncs = true;
    fs.mkdirp('/d');
    const h = fs.open('/d/f', { create: true });
    h.append(Buffer.from('synced|'));
    h.sync();
    h.append(Buffer.from('in-flight'));
    const pending = h.syncAsync();
    fs.crash({ rng: seededRandom(seed), tornProbability: seed % 2 });
    await t.throwsAsync(pending, { message: /EIO/ });
    const after = fs.readFile('/d/f').toString();
    t.true('synced|in-flight'.startsWith(after) && after.length >= 7, after);
    t.is(fs.completeAsyncSyncs(), 0, 'nothing is left to complete after the crash');
  }
});

test('memory-fs syncAsync: a truncation while it runs keeps the cut bytes from becoming durable', async (t) => {
  const fs = new MemoryFileSystem();
  fs.holdAsyncSyncs = true;
  fs.mkdirp('/d');
  const h = fs.open('/d/f', { create: true });
  h.append(Buffer.from('0123456789'));
  const pending = h.syncAsync();
  h.truncate(4);
  h.append(Buffer.from('abc'));
  fs.completeAsyncSyncs();
  await pending;
  t.is(fs.durableSize('/d/f'), 4);
  fs.crash({ rng: seededRandom(4), tornProbability: 0 });
  t.is(fs.readFile('/d/f').toString(), '0123');
});

test('memory-fs syncAsync: failNextSync rejects it without making anything durable; completions run in a microtask by default', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdirp('/d');
  const h = fs.open('/d/a.log', { create: true });
  h.append(Buffer.from('aa'));
  fs.failNextSync('.log');
  await t.throwsAsync(h.syncAsync(), { message: /EIO/ });
  t.is(fs.durableSize('/d/a.log'), 0);
  const ok = h.syncAsync();
  t.is(fs.pendingAsyncSyncCount, 1);
  await ok;
  t.is(fs.durableSize('/d/a.log'), 2);
});
