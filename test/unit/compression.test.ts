// compression.ts: every codec round-trips, reads the framings real clients write, and turns bad or
// oversized input into CompressionError (never a hang, never partial output).

import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { compressSync as snappyRawCompress } from 'snappy';
import { CompressStream } from 'zstd-napi';
import {
  Compression,
  CompressionError,
  compress,
  compressionName,
  decompress,
  isCompression,
  parseCompression,
} from '../../broker/protocol/compression.js';

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd] as const;
const COMPRESSING = CODECS.filter((c) => c !== Compression.None);
const sample = Buffer.from('tributary tributary tributary '.repeat(4000));

testProp(
  'every codec round-trips arbitrary bytes',
  [fc.constantFrom(...CODECS), fc.uint8Array({ maxLength: 70_000 })],
  (t, codec, bytes) => {
    const data = Buffer.from(bytes);
    t.true(decompress(codec, compress(codec, data)).equals(data));
  },
  { numRuns: 120 },
);

for (const codec of COMPRESSING) {
  test(`${compressionName(codec)}: compresses repetitive data and round-trips it`, (t) => {
    const packed = compress(codec, sample);
    t.true(packed.length < sample.length / 4);
    t.true(decompress(codec, packed).equals(sample));
  });

  test(`${compressionName(codec)}: garbage input throws CompressionError with CORRUPT_MESSAGE`, (t) => {
    const err = t.throws(() => decompress(codec, Buffer.from('definitely not compressed data, no sir')), {
      instanceOf: CompressionError,
    });
    t.is(err?.errorCode, 2);
  });

  test(`${compressionName(codec)}: every truncation either throws CompressionError or was never valid output`, (t) => {
    const data = Buffer.from('a record payload that is long enough to span a few tokens, a record payload'.repeat(30));
    const packed = compress(codec, data);
    // Step through cut points; a truncated stream must never come back as (partial) success.
    const step = Math.max(1, Math.floor(packed.length / 60));
    for (let cut = 0; cut < packed.length; cut += step) {
      t.throws(() => decompress(codec, packed.subarray(0, cut)), { instanceOf: CompressionError }, `cut at ${cut}`);
    }
  });

  test(`${compressionName(codec)}: output over maxOutputBytes is refused`, (t) => {
    const packed = compress(codec, sample);
    t.throws(() => decompress(codec, packed, 1000), { instanceOf: CompressionError });
    t.is(decompress(codec, packed, sample.length).length, sample.length);
  });
}

test('snappy: reads the xerial framing the Java client writes (known answer)', (t) => {
  // snappy-java's SnappyOutputStream encoding of "foobar\n": magic, version 1, compat 1, one chunk.
  const javaBytes = Buffer.from('82534e41505059000000000100000001000000090718666f6f6261720a', 'hex');
  t.is(decompress(Compression.Snappy, javaBytes).toString(), 'foobar\n');
});

test('snappy: writes xerial framing (magic, version 1, compatible 1, 32 KiB chunks)', (t) => {
  const packed = compress(Compression.Snappy, sample);
  t.is(packed.subarray(0, 8).toString('hex'), '82534e4150505900');
  t.is(packed.readInt32BE(8), 1);
  t.is(packed.readInt32BE(12), 1);
  // 120 000 bytes of input -> 4 chunks of at most 32 KiB each.
  let chunks = 0;
  for (let at = 16; at < packed.length; at += 4 + packed.readInt32BE(at)) chunks++;
  t.is(chunks, Math.ceil(sample.length / 32768));
});

test('snappy: reads a raw snappy block (librdkafka style)', (t) => {
  t.true(decompress(Compression.Snappy, snappyRawCompress(sample)).equals(sample));
});

test('snappy: reads concatenated xerial streams', (t) => {
  const a = Buffer.from('first part;');
  const b = Buffer.from('second part');
  const joined = Buffer.concat([compress(Compression.Snappy, a), compress(Compression.Snappy, b)]);
  t.is(decompress(Compression.Snappy, joined).toString(), 'first part;second part');
});

test('snappy: a xerial chunk length that lies is refused', (t) => {
  const packed = Buffer.from(compress(Compression.Snappy, sample));
  packed.writeInt32BE(0x7fffffff, 16);
  t.throws(() => decompress(Compression.Snappy, packed), { instanceOf: CompressionError });
  packed.writeInt32BE(-5, 16);
  t.throws(() => decompress(Compression.Snappy, packed), { instanceOf: CompressionError });
});

test('lz4: writes a standard LZ4 frame with independent blocks and no checksums', (t) => {
  const packed = compress(Compression.Lz4, sample);
  t.is(packed.readUInt32LE(0), 0x184d2204);
  const flg = packed[4]!;
  t.is(flg >> 6, 1, 'frame version 01');
  t.is(flg & 0x20, 0x20, 'block independence (Kafka Java decodes blocks independently)');
  t.is(flg & 0x10, 0, 'no block checksums');
  t.is(flg & 0x08, 0, 'no content size');
});

test('zstd: decodes frames that do not declare their content size (streaming producers)', async (t) => {
  const stream = new CompressStream();
  const parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  const ended = once(stream, 'end');
  stream.write(sample.subarray(0, 50_000));
  stream.end(sample.subarray(50_000));
  await ended;
  const frame = Buffer.concat(parts);
  const frameHeaderDescriptor = frame[4]!;
  t.is(frameHeaderDescriptor >> 6, 0, 'frame carries no content size');
  t.true(decompress(Compression.Zstd, frame).equals(sample));
  t.throws(() => decompress(Compression.Zstd, frame, 1000), { instanceOf: CompressionError });
});

test('zstd: reads concatenated frames', (t) => {
  const joined = Buffer.concat([compress(Compression.Zstd, Buffer.from('one,')), compress(Compression.Zstd, Buffer.from('two'))]);
  t.is(decompress(Compression.Zstd, joined).toString(), 'one,two');
});

test('gzip: reads what other gzip writers produce', (t) => {
  t.true(decompress(Compression.Gzip, gzipSync(sample, { level: 9 })).equals(sample));
});

test('codec names match compression.type', (t) => {
  t.deepEqual(CODECS.map(compressionName), ['none', 'gzip', 'snappy', 'lz4', 'zstd']);
  t.is(parseCompression('ZSTD'), Compression.Zstd);
  t.is(parseCompression('producer'), undefined);
  t.true(isCompression(4));
  t.false(isCompression(5));
});

test('an unknown codec id is a CompressionError on decompress', (t) => {
  t.throws(() => decompress(7 as Compression, Buffer.from('x')), { instanceOf: CompressionError });
});

test('lz4: reads concatenated frames and skips skippable frames', (t) => {
  const skippable = Buffer.from('502a4d180300000078797a', 'hex');
  const joined = Buffer.concat([compress(Compression.Lz4, Buffer.from('one,')), skippable, compress(Compression.Lz4, Buffer.from('two'))]);
  t.is(decompress(Compression.Lz4, joined).toString(), 'one,two');
});
