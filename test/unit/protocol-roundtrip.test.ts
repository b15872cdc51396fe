/**
 * Property round-trips of every generated codec at every valid version.
 *
 * Values are built from the schema model (`loadSchemas`, the generator's own reading of the JSON
 * schemas): for each version only the fields present in it, null only where that version allows
 * it, and keys randomly left out to exercise "missing means default". The expected decode is the
 * input with defaults filled in, computed here from the model, independently of the generated code.
 */
import test from 'ava';
import fc from 'fast-check';
import { messageCodecs } from '../../broker/protocol/generated/index.js';
import { EMPTY_BYTES, ProtocolDecodeError, Reader, Writer, type MessageCodec } from '../../broker/protocol/primitives.js';
import { inRange, loadSchemas, type Field, type Message, type Struct } from '../../tools/gen-protocol.js';

const RUNS = Number(process.env['PROTOCOL_PROP_RUNS'] ?? 8);
const messages = loadSchemas();

type Obj = Record<string, unknown>;

const INT_ARB: Record<string, () => fc.Arbitrary<unknown>> = {
  int8: () => fc.integer({ min: -128, max: 127 }),
  int16: () => fc.integer({ min: -32768, max: 32767 }),
  int32: () => fc.integer(),
  uint16: () => fc.integer({ min: 0, max: 0xffff }),
  uint32: () => fc.nat({ max: 0xffffffff }),
  int64: () => fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  float64: () => fc.double(),
  bool: () => fc.boolean(),
  uuid: () => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url')),
  string: () => fc.string({ unit: 'binary', maxLength: 6 }),
  bytes: () => fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)),
  records: () => fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
};

function elementArb(f: Field, v: number): fc.Arbitrary<unknown> {
  return f.kind === 'struct' ? structArb(f.struct!, v) : INT_ARB[f.kind]!();
}

function fieldArb(f: Field, v: number): fc.Arbitrary<unknown> {
  const base = f.array ? fc.array(elementArb(f, v), { maxLength: 3 }) : elementArb(f, v);
  return inRange(f.nullable, v) ? fc.option(base, { nil: null, freq: 4 }) : base;
}

function structArb(s: Struct, v: number): fc.Arbitrary<Obj> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of s.fields) if (inRange(f.versions, v)) fields[f.key] = fieldArb(f, v);
  return fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<Obj>;
}

/** The value decoded for a field that is absent from the version (matches the model's default). */
function absentDefault(f: Field): unknown {
  if (f.def.kind === 'null') return null;
  if (f.def.kind === 'value') return f.def.value;
  if (f.array) return [];
  if (f.kind === 'struct') return defaultStruct(f.struct!);
  return EMPTY_BYTES;
}

function defaultStruct(s: Struct): Obj {
  const out: Obj = {};
  for (const f of s.fields) out[f.key] = absentDefault(f);
  return out;
}

/** What decoding must return for `value` (possibly undefined) of field `f` at version `v`. */
function expectedField(f: Field, v: number, value: unknown): unknown {
  if (!inRange(f.versions, v)) return absentDefault(f);
  if (value === undefined || (value === null && !inRange(f.nullable, v))) {
    if (f.def.kind === 'value') return f.def.value;
    if (f.def.kind === 'null' && inRange(f.nullable, v)) return null;
    if (f.array) return [];
    if (f.kind === 'struct') return expectedStruct(f.struct!, v, {});
    return f.kind === 'string' ? '' : EMPTY_BYTES;
  }
  if (value === null) return null;
  if (f.kind !== 'struct') return value;
  if (f.array) return (value as Obj[]).map((e) => expectedStruct(f.struct!, v, e));
  return expectedStruct(f.struct!, v, value as Obj);
}

function expectedStruct(s: Struct, v: number, value: Obj): Obj {
  const out: Obj = {};
  for (const f of s.fields) out[f.key] = expectedField(f, v, value[f.key]);
  return out;
}

function encode(codec: MessageCodec<unknown>, v: number, msg: unknown): Buffer {
  const w = new Writer(32);
  codec.encode(w, v, msg as never);
  return w.toBuffer();
}

function decodeAll(codec: MessageCodec<unknown>, v: number, bytes: Buffer): unknown {
  const r = new Reader(bytes);
  const out = codec.decode(r, v);
  if (r.remaining !== 0) throw new Error(`${codec.name} v${v}: ${r.remaining} bytes left after decode`);
  return out;
}

function versions(m: Message): number[] {
  const out: number[] = [];
  for (let v = m.valid.min; v <= m.valid.max; v++) out.push(v);
  return out;
}

for (const m of messages) {
  test(`${m.name} round-trips at every version`, (t) => {
    const codec = messageCodecs.get(m.name);
    if (codec === undefined) return t.fail(`no codec for ${m.name}`);
    for (const v of versions(m)) {
      // An empty message decodes to every default.
      t.deepEqual(decodeAll(codec, v, encode(codec, v, {})), expectedStruct(m.root, v, {}), `${m.name} v${v} defaults`);
      fc.assert(
        fc.property(structArb(m.root, v), (value) => {
          const bytes = encode(codec, v, value);
          const decoded = decodeAll(codec, v, bytes);
          t.deepEqual(decoded, expectedStruct(m.root, v, value), `${m.name} v${v}`);
          // The encoding is canonical: re-encoding the decoded value gives the same bytes.
          t.deepEqual(encode(codec, v, decoded), bytes, `${m.name} v${v} re-encode`);
          // Every strict prefix is rejected with ProtocolDecodeError (never another error).
          for (const cut of [0, bytes.length >> 1, bytes.length - 1]) {
            if (cut < 0 || cut >= bytes.length) continue;
            t.throws(() => codec.decode(new Reader(bytes.subarray(0, cut)), v), { instanceOf: ProtocolDecodeError });
          }
        }),
        { numRuns: RUNS, seed: Number(process.env['SEED'] ?? 0x7219) + m.valid.max * 31 + v },
      );
    }
  });
}

test('random bytes decode to a message or ProtocolDecodeError, for every codec and version', (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...messages), fc.nat(), fc.uint8Array({ maxLength: 48 }), (m, pick, bytes) => {
      const codec = messageCodecs.get(m.name)!;
      const v = m.valid.min + (pick % (m.valid.max - m.valid.min + 1));
      try {
        codec.decode(new Reader(Buffer.from(bytes)), v);
      } catch (e) {
        if (!(e instanceof ProtocolDecodeError)) throw e;
      }
    }),
    { numRuns: 2000, seed: 42 },
  );
  t.pass();
});

test('unsupported versions are refused', (t) => {
  const codec = messageCodecs.get('ProduceRequest')!;
  t.throws(() => codec.encode(new Writer(), codec.maxVersion + 1, {}), { instanceOf: RangeError });
  t.throws(() => codec.decode(new Reader(Buffer.alloc(64)), -1), { instanceOf: ProtocolDecodeError });
});
