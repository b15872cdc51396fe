import test from 'ava';
import { fc, testProp } from '@fast-check/ava';
import {
  ProtocolDecodeError,
  RAW_REFERENCE_MIN_BYTES,
  Reader,
  Writer,
  ZERO_UUID,
  type Init,
} from '../../broker/protocol/primitives.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function roundTrip<T>(write: (w: Writer) => void, read: (r: Reader) => T): { value: T; bytes: Buffer } {
  const w = new Writer(4); // tiny start to exercise growth
  write(w);
  const bytes = w.toBuffer();
  const r = new Reader(bytes);
  const value = read(r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left`);
  return { value, bytes };
}

testProp('int8/int16/int32/uint16/uint32 round-trip', [
  fc.integer({ min: -128, max: 127 }),
  fc.integer({ min: -32768, max: 32767 }),
  fc.integer(),
  fc.integer({ min: 0, max: 0xffff }),
  fc.nat({ max: 0xffffffff }),
], (t, a, b, c, d, e) => {
  const { value } = roundTrip(
    (w) => { w.int8(a); w.int16(b); w.int32(c); w.uint16(d); w.uint32(e); },
    (r) => [r.int8(), r.int16(), r.int32(), r.uint16(), r.uint32()],
  );
  t.deepEqual(value, [a, b, c, d, e]);
});

testProp('int64, float64 and bool round-trip', [
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.double(), fc.boolean(),
], (t, a, b, c) => {
  const { value } = roundTrip((w) => { w.int64(a); w.float64(b); w.bool(c); }, (r) => [r.int64(), r.float64(), r.bool()]);
  t.deepEqual(value, [a, b, c]);
});

testProp('uvarint, varint and varlong round-trip', [
  fc.nat({ max: 0xffffffff }), fc.integer(), fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
], (t, a, b, c) => {
  const { value } = roundTrip((w) => { w.uvarint(a); w.varint(b); w.varlong(c); }, (r) => [r.uvarint(), r.varint(), r.varlong()]);
  t.deepEqual(value, [a, b, c]);
});

test('varints use the zig-zag LEB128 bytes Kafka uses', (t) => {
  const enc = (f: (w: Writer) => void): string => {
    const w = new Writer();
    f(w);
    return w.toBuffer().toString('hex');
  };
  t.is(enc((w) => w.uvarint(0)), '00');
  t.is(enc((w) => w.uvarint(127)), '7f');
  t.is(enc((w) => w.uvarint(128)), '8001');
  t.is(enc((w) => w.uvarint(300)), 'ac02');
  t.is(enc((w) => w.uvarint(0xffffffff)), 'ffffffff0f');
  t.is(enc((w) => w.varint(-1)), '01');
  t.is(enc((w) => w.varint(1)), '02');
  t.is(enc((w) => w.varint(-64)), '7f');
  t.is(enc((w) => w.varint(64)), '8001');
  t.is(enc((w) => w.varlong(-1n)), '01');
  t.is(enc((w) => w.varlong(INT64_MIN)), 'ffffffffffffffffff01');
  t.is(enc((w) => w.varlong(INT64_MAX)), 'feffffffffffffffff01');
});

testProp('strings round-trip in all four encodings', [
  fc.string({ unit: 'binary', maxLength: 40 }), fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null }),
], (t, s, n) => {
  const { value } = roundTrip(
    (w) => { w.string(s); w.nullableString(n); w.compactString(s); w.compactNullableString(n); },
    (r) => [r.string(), r.nullableString(), r.compactString(), r.compactNullableString()],
  );
  t.deepEqual(value, [s, n, s, n]);
});

testProp('bytes round-trip in all four encodings', [
  fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)),
  fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null }),
], (t, b, n) => {
  const { value } = roundTrip(
    (w) => { w.bytes(b); w.nullableBytes(n); w.compactBytes(b); w.compactNullableBytes(n); },
    (r) => [r.bytes(), r.nullableBytes(), r.compactBytes(), r.compactNullableBytes()],
  );
  t.deepEqual(value, [b, n, b, n]);
});

testProp('uuids round-trip as 22-character base64url text', [fc.uint8Array({ minLength: 16, maxLength: 16 })], (t, raw) => {
  const id = Buffer.from(raw).toString('base64url');
  const { value, bytes } = roundTrip((w) => w.uuid(id), (r) => r.uuid());
  t.is(value, id);
  t.deepEqual(bytes, Buffer.from(raw));
});

test('the zero uuid is sixteen zero bytes', (t) => {
  const w = new Writer();
  w.uuid(ZERO_UUID);
  t.deepEqual(w.toBuffer(), Buffer.alloc(16));
  t.throws(() => new Writer().uuid('not-a-uuid'), { instanceOf: RangeError });
});

test('null and empty have distinct encodings', (t) => {
  const hex = (f: (w: Writer) => void): string => {
    const w = new Writer();
    f(w);
    return w.toBuffer().toString('hex');
  };
  t.is(hex((w) => w.nullableString(null)), 'ffff');
  t.is(hex((w) => w.nullableString('')), '0000');
  t.is(hex((w) => w.compactNullableString(null)), '00');
  t.is(hex((w) => w.compactNullableString('')), '01');
  t.is(hex((w) => w.nullableBytes(null)), 'ffffffff');
  t.is(hex((w) => w.compactArrayLength(-1)), '00');
  t.is(hex((w) => w.arrayLength(-1)), 'ffffffff');
});

test('Writer.raw keeps large buffers by reference and copies small ones', (t) => {
  const big = Buffer.alloc(RAW_REFERENCE_MIN_BYTES, 7);
  const small = Buffer.from([1, 2, 3]);
  const w = new Writer();
  w.int32(42);
  w.raw(big);
  w.raw(small);
  w.int8(9);
  t.is(w.length, 4 + big.length + 3 + 1);
  const chunks = w.toChunks();
  t.is(chunks.length, 3);
  t.is(chunks[1], big, 'the large buffer is the same object, not a copy');
  small[0] = 99; // the small buffer was copied, so changing it now does not show in the output
  const all = w.toBuffer();
  t.is(all.length, w.length);
  t.is(all.readInt32BE(0), 42);
  t.deepEqual(all.subarray(4, 4 + big.length), big);
  t.deepEqual([...all.subarray(-4)], [1, 2, 3, 9]);
});

test('Writer keeps earlier chunks intact while it grows after a raw splice', (t) => {
  const w = new Writer(16);
  w.int32(1);
  w.raw(Buffer.alloc(600, 1));
  for (let i = 0; i < 1000; i++) w.int32(i);
  const out = w.toBuffer();
  t.is(out.length, 4 + 600 + 4000);
  t.is(out.readInt32BE(0), 1);
  t.is(out.readInt32BE(604 + 4 * 999), 999);
});

test('Writer rejects values that do not fit', (t) => {
  t.throws(() => new Writer().string('x'.repeat(0x8000)), { instanceOf: RangeError });
  t.throws(() => new Writer().int8(200), { instanceOf: RangeError });
  t.throws(() => new Writer().uvarint(-1), { instanceOf: RangeError });
});

test('Reader throws ProtocolDecodeError on underflow', (t) => {
  const r = new Reader(Buffer.from([0, 1, 2]));
  t.throws(() => r.int32(), { instanceOf: ProtocolDecodeError });
  t.is(r.offset, 0, 'a failed read does not move the reader');
  t.throws(() => new Reader(Buffer.alloc(7)).int64(), { instanceOf: ProtocolDecodeError });
  t.throws(() => new Reader(Buffer.alloc(15)).uuid(), { instanceOf: ProtocolDecodeError });
});

test('lengths that lie beyond the buffer throw instead of allocating', (t) => {
  const cases: [string, (r: Reader) => unknown][] = [
    ['7fffffff', (r) => r.bytes()],
    ['7fffffff', (r) => r.arrayLength()],
    ['00000005aabb', (r) => r.nullableBytes()],
    ['7fff', (r) => r.string()],
    ['ffffffff0f', (r) => r.compactArrayLength()],
    ['ffffffff0f', (r) => r.compactBytes()],
    ['0a41', (r) => r.compactString()],
    ['fffe', (r) => r.nullableString()],
    ['fffffffe', (r) => r.nullableBytes()],
    ['ffff', (r) => r.string()],
    ['00', (r) => r.compactString()],
    ['ffffffffff01', (r) => r.uvarint()],
    ['ffffffffffffffffff7f', (r) => r.varlong()],
    ['0201', (r) => r.skipTaggedFields()],
    ['0105ff', (r) => r.skipTaggedFields()],
  ];
  for (const [hex, read] of cases) {
    t.throws(() => read(new Reader(Buffer.from(hex, 'hex'))), { instanceOf: ProtocolDecodeError }, hex);
  }
});

test('a Reader window never reads outside its bounds', (t) => {
  const buf = Buffer.from('0000000100000002', 'hex');
  const r = new Reader(buf, 0, 4);
  t.is(r.int32(), 1);
  t.throws(() => r.int32(), { instanceOf: ProtocolDecodeError });
  const outer = new Reader(buf);
  const sub = outer.sub(4);
  t.is(outer.offset, 4);
  t.is(sub.int32(), 1);
  t.throws(() => sub.int8(), { instanceOf: ProtocolDecodeError });
  t.throws(() => new Reader(buf).sub(9), { instanceOf: ProtocolDecodeError });
});

testProp('random bytes make every Reader method return or throw ProtocolDecodeError only', [
  fc.uint8Array({ maxLength: 24 }), fc.array(fc.nat({ max: 22 }), { minLength: 1, maxLength: 8 }),
], (t, bytes, ops) => {
  const r = new Reader(Buffer.from(bytes));
  const reads: ((r: Reader) => unknown)[] = [
    (x) => x.int8(), (x) => x.int16(), (x) => x.int32(), (x) => x.int64(), (x) => x.uint16(), (x) => x.uint32(),
    (x) => x.float64(), (x) => x.bool(), (x) => x.uvarint(), (x) => x.varint(), (x) => x.varlong(), (x) => x.uuid(),
    (x) => x.string(), (x) => x.nullableString(), (x) => x.compactString(), (x) => x.compactNullableString(),
    (x) => x.bytes(), (x) => x.nullableBytes(), (x) => x.compactBytes(), (x) => x.compactNullableBytes(),
    (x) => x.arrayLength(), (x) => x.compactArrayLength(), (x) => x.skipTaggedFields(),
  ];
  for (const op of ops) {
    try {
      reads[op]!(r);
    } catch (e) {
      t.true(e instanceof ProtocolDecodeError, String(e));
      return;
    }
    t.true(r.offset <= r.end);
  }
  t.pass();
});

test('Init<T> is a deep partial that keeps Buffer, bigint and null as they are', (t) => {
  interface Inner { a: number; b: Buffer; c: bigint | null }
  interface Outer { name: string; inner: Inner; list: Inner[]; ids: number[] }
  const init: Init<Outer> = { inner: { c: null }, list: [{ b: Buffer.alloc(1) }, {}], ids: [1] };
  // @ts-expect-error a Buffer stays a Buffer, it does not become a partial object
  const bad: Init<Outer> = { inner: { b: {} } };
  t.truthy(init && bad);
});
