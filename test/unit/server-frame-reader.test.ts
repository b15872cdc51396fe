// Request framing over arbitrary socket reads: every frame arrives whole and in order however the
// stream is cut, a pooled frame buffer is reused only after its release, and a frame whose handler
// keeps its bytes (no release) is never overwritten by later frames.
import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { BufferPool } from '../../broker/server/buffer-pool.js';
import { FrameReader } from '../../broker/server/frame-reader.js';

const POOL_BYTES = 128 * 1024;

function frameBody(index: number, size: number): Buffer {
  const body = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) body[i] = (index * 31 + i * 7) & 0xff;
  return body;
}

function encodeStream(bodies: readonly Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((body) => {
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(body.length, 0);
      return [prefix, body];
    }),
  );
}

/** Splits the stream at `positions` (taken modulo its length), as socket reads would. */
function cut(stream: Buffer, positions: readonly number[]): Buffer[] {
  const points = [...new Set(positions.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const p of [...points, stream.length]) {
    if (p > from) pieces.push(Buffer.from(stream.subarray(from, p)));
    from = Math.max(from, p);
  }
  return pieces;
}

const frameSize = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 60_000, max: 70_000 }), fc.integer({ min: 100_000, max: 140_000 }));

testProp(
  'frames cut anywhere arrive whole and in order; kept frames stay intact while released buffers are reused',
  [fc.array(fc.record({ size: frameSize, release: fc.boolean() }), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 })],
  (t, frames, positions) => {
    const bodies = frames.map((f, i) => frameBody(i, f.size));
    const pool = new BufferPool(POOL_BYTES, 4);
    const reader = new FrameReader(1 << 20, pool);
    const kept: Array<{ index: number; frame: Buffer }> = [];
    let received = 0;
    let idleBuffer: ArrayBufferLike | undefined;
    for (const piece of cut(encodeStream(bodies), positions)) {
      const problem = reader.push(piece, (frame, release) => {
        const index = received++;
        t.true(frame.equals(bodies[index]!), `frame ${index} arrived intact`);
        if (release !== undefined && idleBuffer !== undefined) {
          t.is(frame.buffer, idleBuffer, 'the next pooled frame reuses the released buffer');
          idleBuffer = undefined;
        }
        if (frames[index]!.release && release !== undefined) {
          release();
          idleBuffer = frame.buffer;
        } else {
          kept.push({ index, frame });
        }
        return true;
      });
      t.is(problem, undefined);
    }
    t.is(received, bodies.length, 'every frame arrived');
    for (const { index, frame } of kept) t.true(frame.equals(bodies[index]!), `kept frame ${index} was not overwritten`);
  },
  { numRuns: 150 },
);

test('only frames of at least 64 KiB that span reads are pooled, and only buffers of the pool size', (t) => {
  const pool = new BufferPool(POOL_BYTES, 4);
  const reader = new FrameReader(1 << 20, pool);
  const releases: Array<(() => void) | undefined> = [];
  const sink = (_frame: Buffer, release: (() => void) | undefined): boolean => {
    releases.push(release);
    return true;
  };
  for (const size of [100, 70_000, 200_000]) {
    const stream = encodeStream([frameBody(0, size)]);
    for (const piece of cut(stream, [stream.length >> 1])) reader.push(piece, sink);
  }
  reader.push(encodeStream([frameBody(1, 70_000)]), sink);
  t.deepEqual(
    releases.map((r) => r !== undefined),
    [false, true, false, false],
    'small split frame: own buffer; 70 KB split: pooled; 200 KB split: own buffer (bigger than the pool); within one read: a view',
  );
  releases[1]!();
  releases[1]!();
  t.is(pool.idleCount, 1, 'a second release gives nothing back twice');
});

test('a size prefix outside 0..max is reported, even split over reads, and nothing after it is delivered', (t) => {
  for (const size of [-1, 1001]) {
    const reader = new FrameReader(1000, new BufferPool(POOL_BYTES, 1));
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(size, 0);
    const delivered: Buffer[] = [];
    const sink = (frame: Buffer): boolean => {
      delivered.push(frame);
      return true;
    };
    t.is(reader.push(prefix.subarray(0, 1), sink), undefined);
    t.is(reader.push(prefix.subarray(1, 3), sink), undefined);
    t.regex(reader.push(Buffer.concat([prefix.subarray(3), encodeStream([frameBody(0, 5)])]), sink) ?? '', new RegExp(`frame size ${size} is outside 0\\.\\.1000`));
    t.is(delivered.length, 0);
  }
});

test('a sink returning false stops delivery of the rest of the read', (t) => {
  const reader = new FrameReader(1000, new BufferPool(POOL_BYTES, 1));
  const delivered: Buffer[] = [];
  reader.push(encodeStream([frameBody(0, 3), frameBody(1, 3), frameBody(2, 3)]), (frame) => {
    delivered.push(frame);
    return false;
  });
  t.is(delivered.length, 1);
});
