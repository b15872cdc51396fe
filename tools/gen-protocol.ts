/**
 * Generates `broker/protocol/generated/*.ts` from Apache Kafka's message schemas.
 *
 * Usage: `npm run gen:protocol` (i.e. `node --import tsx tools/gen-protocol.ts [--out DIR]`).
 * Schemas come from `../shared/kafka-protocol/message/*.json` relative to the repository root, or
 * from `$KAFKA_PROTOCOL_DIR`. Output is deterministic: files, structs and fields are emitted in a
 * fixed order, and nothing depends on the clock or the file system order.
 *
 * Only facts are taken from the schemas (names, keys, versions, types, tags, defaults); their
 * comments and `about` texts are never copied. `header` schemas are skipped (`header.ts` is
 * hand-written); `ignorable`, `mapKey`, `entityType`, `zeroCopy` and `deprecatedVersions` do not
 * change the wire format and are ignored.
 *
 * The schema model (`loadSchemas`) is exported so tests can build values and check metadata from
 * the same reading of the schemas.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SCHEMA_COMMIT_FALLBACK = '1eb7644349cb07139d6a3c1ad1986979647cac99';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function schemaDir(): string {
  return process.env['KAFKA_PROTOCOL_DIR'] ?? path.resolve(REPO_ROOT, '../shared/kafka-protocol/message');
}

// ---------------------------------------------------------------------------------------------
// Schema model

/** An inclusive version range; `max` is Infinity for "N+". */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export type ScalarKind =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32' | 'float64' | 'bool' | 'uuid';
export type Kind = ScalarKind | 'string' | 'bytes' | 'records' | 'struct';

/** `null`: the default is null; `zero`: empty array / empty bytes / all-default struct. */
export type Default =
  | { readonly kind: 'null' }
  | { readonly kind: 'zero' }
  | { readonly kind: 'value'; readonly value: number | bigint | string | boolean };

export interface Field {
  readonly name: string;
  /** camelCase property name. */
  readonly key: string;
  readonly kind: Kind;
  readonly array: boolean;
  /** Set when kind is 'struct'. */
  readonly struct: Struct | null;
  readonly versions: Range | null;
  readonly nullable: Range | null;
  readonly tagged: Range | null;
  readonly tag: number | null;
  readonly def: Default;
}

export interface Struct {
  /** The schema's struct name (the message name for the root). */
  readonly name: string;
  /** The TypeScript type name: message name + struct name. */
  readonly typeName: string;
  readonly fields: Field[];
}

export interface Message {
  readonly name: string;
  readonly type: 'request' | 'response' | 'data';
  readonly apiKey: number | null;
  readonly valid: Range;
  readonly flexible: Range | null;
  readonly latestVersionUnstable: boolean;
  readonly root: Struct;
  /** Every struct of the message other than the root, in first-declaration order. */
  readonly structs: Struct[];
  readonly fileName: string;
}

const SCALARS = new Set<string>(['int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'float64', 'bool', 'uuid']);
const PRIMITIVES = new Set<string>([...SCALARS, 'string', 'bytes', 'records']);
const INT_RANGES: Record<string, [number, number]> = {
  int8: [-0x80, 0x7f],
  int16: [-0x8000, 0x7fff],
  int32: [-0x80000000, 0x7fffffff],
  uint16: [0, 0xffff],
  uint32: [0, 0xffffffff],
};

export function inRange(r: Range | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

/** Removes `//` comments (outside string literals) so the text parses as JSON. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

export function parseVersions(s: unknown, what: string): Range | null {
  if (s === undefined || s === 'none' || s === '') return null;
  if (typeof s !== 'string') throw new Error(`${what}: bad versions ${JSON.stringify(s)}`);
  let m = /^(\d+)\+$/.exec(s);
  if (m) return { min: Number(m[1]), max: Infinity };
  m = /^(\d+)-(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[2]) };
  m = /^(\d+)$/.exec(s);
  if (m) return { min: Number(m[1]), max: Number(m[1]) };
  throw new Error(`${what}: bad versions ${JSON.stringify(s)}`);
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

function parseInteger(raw: string | number, what: string): bigint {
  if (typeof raw === 'number') return BigInt(raw);
  const s = raw.trim();
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(body)) throw new Error(`${what}: bad integer default ${raw}`);
  const n = BigInt(body);
  return neg ? -n : n;
}

interface RawField {
  name: string;
  type: string;
  versions?: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: RawField[];
}

function parseDefault(f: RawField, kind: Kind, array: boolean, nullable: boolean, what: string): Default {
  const d = f.default;
  if (d === 'null') {
    if (!nullable) throw new Error(`${what}: default null on a non-nullable field`);
    return { kind: 'null' };
  }
  if (array || kind === 'struct' || kind === 'bytes' || kind === 'records') {
    if (d !== undefined && d !== '') throw new Error(`${what}: unsupported default ${JSON.stringify(d)}`);
    return kind === 'records' || (nullable && d === undefined) ? { kind: 'null' } : { kind: 'zero' };
  }
  if (kind === 'string') {
    if (d === undefined) return nullable ? { kind: 'null' } : { kind: 'value', value: '' };
    return { kind: 'value', value: String(d) };
  }
  if (kind === 'bool') {
    if (d === undefined) return { kind: 'value', value: false };
    if (d === true || d === 'true') return { kind: 'value', value: true };
    if (d === false || d === 'false') return { kind: 'value', value: false };
    throw new Error(`${what}: bad bool default ${JSON.stringify(d)}`);
  }
  if (kind === 'uuid') {
    if (d !== undefined) throw new Error(`${what}: uuid defaults are not supported`);
    return { kind: 'value', value: 'AAAAAAAAAAAAAAAAAAAAAA' };
  }
  if (kind === 'float64') {
    const n = d === undefined ? 0 : Number(d);
    if (Number.isNaN(n) && d !== 'NaN') throw new Error(`${what}: bad float default ${JSON.stringify(d)}`);
    return { kind: 'value', value: n };
  }
  if (typeof d === 'boolean') throw new Error(`${what}: bad integer default`);
  const n = d === undefined ? 0n : parseInteger(d, what);
  if (kind === 'int64') {
    if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new Error(`${what}: int64 default out of range`);
    return { kind: 'value', value: n };
  }
  const [lo, hi] = INT_RANGES[kind]!;
  if (n < BigInt(lo) || n > BigInt(hi)) throw new Error(`${what}: default out of range for ${kind}`);
  return { kind: 'value', value: Number(n) };
}

function sameRange(a: Range | null, b: Range | null): boolean {
  return a === b || (a !== null && b !== null && a.min === b.min && a.max === b.max);
}

interface RawSchema {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
  fields: RawField[];
  commonStructs?: { name: string; fields: RawField[] }[];
}

function buildMessage(raw: RawSchema, file: string): Message {
  const msgName = raw.name;
  const declared = new Map<string, RawField[]>();
  const declare = (name: string, fields: RawField[], where: string): void => {
    if (declared.has(name)) throw new Error(`${file}: struct ${name} declared twice (${where})`);
    declared.set(name, fields);
  };
  for (const cs of raw.commonStructs ?? []) declare(cs.name, cs.fields, 'commonStructs');
  const collect = (fields: RawField[]): void => {
    for (const f of fields) {
      if (f.fields !== undefined) {
        declare(f.type.replace(/^\[\]/, ''), f.fields, f.name);
        collect(f.fields);
      }
    }
  };
  for (const cs of raw.commonStructs ?? []) collect(cs.fields);
  collect(raw.fields);

  const built = new Map<string, Struct>();
  const order: Struct[] = [];
  const buildStruct = (name: string, typeName: string, rawFields: RawField[]): Struct => {
    const struct: Struct = { name, typeName, fields: [] };
    const keys = new Set<string>();
    const tags = new Set<number>();
    for (const f of rawFields) {
      const what = `${file}: ${name}.${f.name}`;
      if (f.flexibleVersions !== undefined) throw new Error(`${what}: field-level flexibleVersions unsupported`);
      const array = f.type.startsWith('[]');
      const t = array ? f.type.slice(2) : f.type;
      const kind: Kind = PRIMITIVES.has(t) ? (t as Kind) : 'struct';
      let sub: Struct | null = null;
      if (kind === 'struct') {
        sub = built.get(t) ?? null;
        if (sub === null) {
          const fields = declared.get(t);
          if (fields === undefined) throw new Error(`${what}: unknown type ${f.type}`);
          sub = buildStruct(t, msgName + t, fields);
          built.set(t, sub);
          order.push(sub);
        }
      }
      const versions = parseVersions(f.versions, what);
      if (versions === null) throw new Error(`${what}: field without versions`);
      const nullable = parseVersions(f.nullableVersions, what);
      if (nullable !== null && SCALARS.has(kind) && !array) throw new Error(`${what}: nullable scalar`);
      const tagged = parseVersions(f.taggedVersions, what);
      const tag = f.tag === undefined ? null : Number(f.tag);
      if ((tagged === null) !== (tag === null)) throw new Error(`${what}: tag without taggedVersions or back`);
      if (tagged !== null && !sameRange(tagged, versions)) {
        throw new Error(`${what}: taggedVersions must equal versions`);
      }
      if (tag !== null) {
        if (!Number.isInteger(tag) || tag < 0 || tags.has(tag)) throw new Error(`${what}: bad or duplicate tag`);
        tags.add(tag);
      }
      const key = camel(f.name);
      if (keys.has(key)) throw new Error(`${what}: duplicate property ${key}`);
      keys.add(key);
      const def = parseDefault(f, kind, array, nullable !== null, what);
      struct.fields.push({ name: f.name, key, kind, array, struct: sub, versions, nullable, tagged, tag, def });
    }
    return struct;
  };

  const type = raw.type;
  if (type !== 'request' && type !== 'response' && type !== 'data') throw new Error(`${file}: type ${type}`);
  const valid = parseVersions(raw.validVersions, file);
  if (valid === null || valid.max === Infinity) throw new Error(`${file}: bad validVersions`);
  const flexible = parseVersions(raw.flexibleVersions, file);
  const root = buildStruct(msgName, msgName, raw.fields);
  for (const cs of raw.commonStructs ?? []) {
    if (!built.has(cs.name)) throw new Error(`${file}: common struct ${cs.name} is never used`);
  }
  for (const s of [root, ...order]) {
    for (const f of s.fields) {
      if (f.tagged !== null && (flexible === null || f.tagged.min < flexible.min)) {
        throw new Error(`${file}: ${f.name} is tagged outside flexible versions`);
      }
    }
  }
  return {
    name: msgName,
    type,
    apiKey: raw.apiKey ?? null,
    valid,
    flexible,
    latestVersionUnstable: raw.latestVersionUnstable === true,
    root,
    structs: order,
    fileName: `${kebab(msgName)}.ts`,
  };
}

/** Reads and models every request, response and data schema in `dir`, sorted by name. */
export function loadSchemas(dir: string = schemaDir()): Message[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const out: Message[] = [];
  for (const file of files) {
    const raw = JSON.parse(stripComments(readFileSync(path.join(dir, file), 'utf8'))) as RawSchema;
    if (raw.type === 'header') continue;
    out.push(buildMessage(raw, file));
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

export function schemaCommit(dir: string = schemaDir()): string {
  const readme = path.join(dir, '..', 'README.md');
  if (existsSync(readme)) {
    const m = /commit ([0-9a-f]{40})/.exec(readFileSync(readme, 'utf8'));
    if (m) return m[1]!;
  }
  return SCHEMA_COMMIT_FALLBACK;
}

// ---------------------------------------------------------------------------------------------
// Code generation

const SCALAR_TS: Record<ScalarKind, string> = {
  int8: 'number', int16: 'number', int32: 'number', int64: 'bigint', uint16: 'number',
  uint32: 'number', float64: 'number', bool: 'boolean', uuid: 'string',
};

function elemType(f: Field): string {
  if (f.kind === 'struct') return f.struct!.typeName;
  if (f.kind === 'string') return 'string';
  if (f.kind === 'bytes' || f.kind === 'records') return 'Buffer';
  return SCALAR_TS[f.kind];
}

function fieldType(f: Field): string {
  const t = f.array ? `${elemType(f)}[]` : elemType(f);
  return f.nullable !== null || f.kind === 'records' ? `${t} | null` : t;
}

function literal(v: number | bigint | string | boolean): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') {
    if (v === 'AAAAAAAAAAAAAAAAAAAAAA') return 'ZERO_UUID';
    return `'${v.replace(/[\\']/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}'`;
  }
  if (typeof v === 'number' && Object.is(v, -0)) return '-0';
  return String(v);
}

/** The default value as a decoded value (fresh objects for structs and arrays). */
function decodedDefault(f: Field): string {
  if (f.def.kind === 'null') return 'null';
  if (f.def.kind === 'value') return literal(f.def.value);
  if (f.array) return '[]';
  if (f.kind === 'struct') return `default${f.struct!.typeName}()`;
  return 'EMPTY_BYTES';
}

/** The value encoded for a missing (or, where null is not allowed, null) field. */
function encodedFallback(f: Field, allowNull: boolean): string {
  if (f.def.kind === 'null' && allowNull) return 'null';
  if (f.def.kind === 'value') return literal(f.def.value);
  if (f.array) return '[]';
  if (f.kind === 'struct') return '{}';
  if (f.kind === 'string') return "''";
  return 'EMPTY_BYTES';
}

/** A condition on `v` for a range, simplified against the message's valid versions. */
function cond(r: Range | null, valid: Range): string {
  if (r === null) return 'false';
  if (Math.max(r.min, valid.min) > Math.min(r.max, valid.max)) return 'false';
  const parts: string[] = [];
  if (r.min > valid.min) parts.push(`v >= ${r.min}`);
  if (r.max < valid.max) parts.push(`v <= ${r.max}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

const WRITE: Record<ScalarKind, string> = {
  int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64', uint16: 'uint16', uint32: 'uint32',
  float64: 'float64', bool: 'bool', uuid: 'uuid',
};

function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l === '' ? l : by + l));
}

function block(head: string, body: string[]): string[] {
  return [`${head} {`, ...indent(unwrap(body)), '}'];
}

function ifElse(c: string, then: string[], otherwise: string[]): string[] {
  return [`if (${c}) {`, ...indent(unwrap(then)), '} else {', ...indent(unwrap(otherwise)), '}'];
}

function isFlexSensitive(f: Field): boolean {
  return f.array || f.kind === 'string' || f.kind === 'bytes' || f.kind === 'records';
}

/** The versions at which each struct's functions can be called (hull over the fields using it). */
function reachableRanges(msg: Message): Map<Struct, Range> {
  const reach = new Map<Struct, Range>([[msg.root, msg.valid]]);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [s, r] of [...reach]) {
      for (const f of s.fields) {
        if (f.struct === null) continue;
        const fr = intersect(f.versions, r);
        if (fr === null) continue;
        const old = reach.get(f.struct);
        const next = old === undefined ? fr : { min: Math.min(old.min, fr.min), max: Math.max(old.max, fr.max) };
        if (old === undefined || old.min !== next.min || old.max !== next.max) {
          reach.set(f.struct, next);
          changed = true;
        }
      }
    }
  }
  return reach;
}

function intersect(a: Range | null, b: Range): Range | null {
  if (a === null) return null;
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min > max ? null : { min, max };
}

/** Removes a redundant `{ ... }` wrapper when it is the whole body of a block. */
function unwrap(body: string[]): string[] {
  if (body.length < 2 || body[0] !== '{' || body[body.length - 1] !== '}') return body;
  for (let i = 1; i < body.length - 1; i++) if (!body[i]!.startsWith(' ') && body[i] !== '') return body;
  return body.slice(1, -1).map((l) => l.slice(2));
}

class Gen {
  /** The versions the struct being generated can be used at. */
  private valid: Range;

  constructor(private readonly msg: Message) {
    this.valid = msg.valid;
  }

  at(range: Range): this {
    this.valid = range;
    return this;
  }

  /** The versions at which field `f` is present, within the current struct's range. */
  private fieldRange(f: Field): Range {
    return intersect(f.versions, this.valid) ?? this.valid;
  }

  private flexCond(): string {
    return cond(this.msg.flexible, this.valid);
  }

  /** The field's versions, narrowed to the flexible or non-flexible ones when that matters. */
  private narrowed(f: Field, flex: boolean): Range {
    const range = this.fieldRange(f);
    const flexible = this.msg.flexible;
    if (flexible === null || !isFlexSensitive(f)) return range;
    const side = flex ? { min: flexible.min, max: Infinity } : { min: -Infinity, max: flexible.min - 1 };
    return intersect(side, range) ?? range;
  }

  /** Whether field `f` is always, never or sometimes encoded in a flexible version. */
  private flexMode(f: Field): 'always' | 'never' | 'sometimes' {
    const flexible = this.msg.flexible;
    const { min: lo, max: hi } = this.fieldRange(f);
    if (flexible !== null && lo >= flexible.min) return 'always';
    if (flexible === null || hi < flexible.min || !isFlexSensitive(f)) return 'never';
    return 'sometimes';
  }

  /** Runs `make(F)` for the flexible and non-flexible encodings the field needs. */
  private byFlex(f: Field, make: (flex: boolean) => string[]): string[] {
    const mode = this.flexMode(f);
    if (mode !== 'sometimes') return make(mode === 'always');
    return ifElse('flex', make(true), make(false));
  }

  // ---- encode ----

  private encElem(f: Field, e: string, w: string, flex: boolean): string {
    switch (f.kind) {
      case 'struct': return `encode${f.struct!.typeName}(${w}, v, ${e});`;
      case 'string': return `${w}.${flex ? 'compactString' : 'string'}(${e});`;
      case 'bytes': case 'records': return `${w}.${flex ? 'compactBytes' : 'bytes'}(${e});`;
      default: return `${w}.${WRITE[f.kind]}(${e});`;
    }
  }

  private encValue(f: Field, value: string, w: string, flex: boolean, isNullable: boolean): string[] {
    if (f.array) {
      const len = flex ? `${w}.uvarint(a.length + 1);` : `${w}.int32(a.length);`;
      const body = [len, `for (const e of a) ${this.encElem(f, 'e', w, flex)}`];
      if (!isNullable) return ['{', `  const a = ${value};`, ...indent(body), '}'];
      return ['{', `  const a = ${value};`,
        ...indent(ifElse('a === null', [`${w}.${flex ? 'uvarint(0)' : 'int32(-1)'};`], body)), '}'];
    }
    switch (f.kind) {
      case 'struct':
        if (!isNullable) return [this.encElem(f, value, w, flex)];
        return ['{', `  const s = ${value};`,
          ...indent(ifElse('s === null', [`${w}.int8(-1);`], [`${w}.int8(1);`, this.encElem(f, 's', w, flex)])), '}'];
      case 'string':
        return [`${w}.${flex ? 'compact' : ''}${isNullable ? (flex ? 'NullableString' : 'nullableString') : (flex ? 'String' : 'string')}(${value});`];
      case 'bytes': case 'records':
        return [`${w}.${flex ? 'compact' : ''}${isNullable ? (flex ? 'NullableBytes' : 'nullableBytes') : (flex ? 'Bytes' : 'bytes')}(${value});`];
      default:
        return [`${w}.${WRITE[f.kind]}(${value});`];
    }
  }

  /** Statements writing field `f` (read from `m`) with writer `w` at encoding `flex`. */
  private encField(f: Field, w: string, flex: boolean): string[] {
    const src = `m.${f.key}`;
    const nc = cond(f.nullable, this.narrowed(f, flex));
    const nonNull = (): string[] => this.encValue(f, `${src} ?? ${encodedFallback(f, false)}`, w, flex, false);
    const withNull = (): string[] => {
      const fb = encodedFallback(f, true);
      const value = fb === 'null' ? `${src} ?? null` : `${src} === undefined ? ${fb} : ${src}`;
      return this.encValue(f, value, w, flex, true);
    };
    if (nc === 'false') return nonNull();
    if (nc === 'true') return withNull();
    return ifElse(nc, withNull(), nonNull());
  }

  private nonDefault(f: Field): string {
    const src = `m.${f.key}`;
    if (f.def.kind === 'null') return `${src} != null`;
    if (f.def.kind === 'value') return `${src} !== undefined && ${src} !== ${literal(f.def.value)}`;
    const isNullable = f.nullable !== null;
    let empty: string;
    if (f.array || f.kind !== 'struct') empty = `${src}.length > 0`;
    else empty = `!isDefault${f.struct!.typeName}(${src})`;
    return isNullable ? `${src} !== undefined && (${src} === null || ${empty})` : `${src} !== undefined && ${empty}`;
  }

  private encTagged(tagged: Field[]): string[] {
    if (tagged.length === 0) return ['w.emptyTaggedFields();'];
    const lines: string[] = [];
    for (const f of tagged) lines.push(`const t${f.tag} = ${wrapCond(cond(f.tagged, this.valid), this.nonDefault(f))};`);
    lines.push(`w.uvarint(${tagged.map((f) => `(t${f.tag} ? 1 : 0)`).join(' + ')});`);
    for (const f of tagged) {
      lines.push(...block(`if (t${f.tag})`, [
        'const tw = new Writer(64);',
        ...this.encField(f, 'tw', true),
        `w.taggedField(${f.tag}, tw);`,
      ]));
    }
    return lines;
  }

  encodeFunction(s: Struct): string[] {
    const body: string[] = [];
    const fc = this.flexCond();
    const regular = s.fields.filter((f) => f.tagged === null);
    const tagged = s.fields.filter((f) => f.tagged !== null && cond(f.tagged, this.valid) !== 'false')
      .sort((a, b) => a.tag! - b.tag!);
    for (const f of regular) {
      const vc = cond(f.versions, this.valid);
      if (vc === 'false') continue;
      const stmts = this.byFlex(f, (flex) => this.encField(f, 'w', flex));
      body.push(...(vc === 'true' ? stmts : block(`if (${vc})`, stmts)));
    }
    if (fc === 'true') body.push(...this.encTagged(tagged));
    else if (fc !== 'false') body.push(...block('if (flex)', this.encTagged(tagged)));
    if (body.some((l) => /\bflex\b/.test(l))) body.unshift(`const flex = ${fc};`);
    const used = body.some((l) => /\bm\./.test(l));
    const uv = body.some((l) => /\bv\b/.test(l));
    return [
      `function encode${s.typeName}(w: Writer, ${uv ? 'v' : '_v'}: number, ${used ? 'm' : '_m'}: Init<${s.typeName}>): void {`,
      ...indent(body),
      '}',
    ];
  }

  // ---- decode ----

  private decElem(f: Field, r: string, flex: boolean): string {
    switch (f.kind) {
      case 'struct': return `decode${f.struct!.typeName}(${r}, v)`;
      case 'string': return `${r}.${flex ? 'compactString' : 'string'}()`;
      case 'bytes': case 'records': return `${r}.${flex ? 'compactBytes' : 'bytes'}()`;
      default: return `${r}.${WRITE[f.kind]}()`;
    }
  }

  /** Statements reading field `f` with reader `r` into `target`. */
  private decField(f: Field, r: string, target: string, flex: boolean): string[] {
    const nc = cond(f.nullable, this.narrowed(f, flex));
    const where = `${this.msg.name}.${f.key}`;
    if (f.array) {
      const fill = [
        `const a: ${elemType(f)}[] = [];`,
        `for (let i = 0; i < n; i++) a.push(${this.decElem(f, r, flex)});`,
        `${target} = a;`,
      ];
      const nullThrow = `throw new ProtocolDecodeError('${where}: null array in a non-nullable version');`;
      const rest = nc === 'false'
        ? [`if (n < 0) ${nullThrow}`, ...fill]
        : nc === 'true'
          ? ifElse('n < 0', [`${target} = null;`], fill)
          : ifElse('n < 0', [`if (!(${nc})) ${nullThrow}`, `${target} = null;`], fill);
      return ['{', `  const n = ${r}.${flex ? 'compactArrayLength' : 'arrayLength'}();`, ...indent(rest),
        '}'];
    }
    if (f.kind === 'struct') {
      const d = this.decElem(f, r, flex);
      if (nc === 'false') return [`${target} = ${d};`];
      const marker = `${r}.int8() < 0`;
      return [`${target} = ${wrapCond(nc, marker)} ? null : ${d};`];
    }
    if (f.kind === 'string' || f.kind === 'bytes' || f.kind === 'records') {
      const word = f.kind === 'string' ? 'String' : 'Bytes';
      const strict = flex ? `${r}.compact${word}()` : `${r}.${word.toLowerCase()}()`;
      const loose = flex ? `${r}.compactNullable${word}()` : `${r}.nullable${word}()`;
      if (nc === 'false') return [`${target} = ${strict};`];
      if (nc === 'true') return [`${target} = ${loose};`];
      return [`${target} = (${nc}) ? ${loose} : ${strict};`];
    }
    return [`${target} = ${this.decElem(f, r, flex)};`];
  }

  /** The field's decoding as one expression, when it has one. */
  private decExpr(f: Field, target: string): string | null {
    const one = (flex: boolean): string | null => {
      const st = this.decField(f, 'r', target, flex);
      return st.length === 1 && st[0]!.startsWith(`${target} = `) ? st[0]!.slice(target.length + 3, -1) : null;
    };
    const mode = this.flexMode(f);
    if (mode !== 'sometimes') return one(mode === 'always');
    const a = one(true);
    const b = one(false);
    return a === null || b === null ? null : `(flex ? ${a} : ${b})`;
  }

  private decTagged(tagged: Field[]): string[] {
    if (tagged.length === 0) return ['r.skipTaggedFields();'];
    const cases: string[] = [];
    for (const f of tagged) {
      const tc = cond(f.tagged, this.valid);
      const stmts = this.decField(f, 's', `f_${f.key}`, true);
      cases.push(`case ${f.tag}:`, ...indent(tc === 'true' ? stmts : block(`if (${tc})`, stmts)), '  break;');
    }
    return [
      'const nt = r.uvarint();',
      ...block('for (let k = 0; k < nt; k++)', [
        'const tag = r.uvarint();',
        'const s = r.sub(r.uvarint());',
        ...block('switch (tag)', [...cases, 'default:', '  break;']),
      ]),
    ];
  }

  decodeFunction(s: Struct): string[] {
    const body: string[] = [];
    const fc = this.flexCond();
    for (const f of s.fields) {
      const target = `f_${f.key}`;
      const vc = cond(f.versions, this.valid);
      if (f.tagged !== null || vc === 'false') {
        body.push(`${f.tagged !== null ? 'let' : 'const'} ${target}: ${fieldType(f)} = ${decodedDefault(f)};`);
        continue;
      }
      const d = decodedDefault(f);
      const expr = this.decExpr(f, target);
      if (expr !== null) {
        body.push(`const ${target}: ${fieldType(f)} = ${vc === 'true' ? expr : `(${vc}) ? ${expr} : ${d}`};`);
        continue;
      }
      const stmts = this.byFlex(f, (flex) => this.decField(f, 'r', target, flex));
      if (vc === 'true') {
        body.push(`let ${target}: ${fieldType(f)};`, ...stmts);
      } else if (d.endsWith(')') || d === '[]') {
        body.push(`let ${target}: ${fieldType(f)};`, ...ifElse(vc, stmts, [`${target} = ${d};`]));
      } else {
        body.push(`let ${target}: ${fieldType(f)} = ${d};`, ...block(`if (${vc})`, stmts));
      }
    }
    const tagged = s.fields.filter((f) => f.tagged !== null && cond(f.tagged, this.valid) !== 'false')
      .sort((a, b) => a.tag! - b.tag!);
    if (fc === 'true') body.push(...this.decTagged(tagged));
    else if (fc !== 'false') body.push(...block('if (flex)', this.decTagged(tagged)));
    if (body.some((l) => /\bflex\b/.test(l))) body.unshift(`const flex = ${fc};`);
    if (s.fields.length === 0) body.push(`return {};`);
    else body.push('return {', ...s.fields.map((f) => `  ${f.key}: f_${f.key},`), '};');
    const uv = body.some((l) => /\bv\b/.test(l));
    const ur = body.some((l) => /\br\./.test(l));
    return [
      `function decode${s.typeName}(${ur ? 'r' : '_r'}: Reader, ${uv ? 'v' : '_v'}: number): ${s.typeName} {`,
      ...indent(body),
      '}',
    ];
  }

  // ---- defaults ----

  defaultFunction(s: Struct): string[] {
    const fields = s.fields.map((f) => `  ${f.key}: ${decodedDefault(f)},`);
    return [`function default${s.typeName}(): ${s.typeName} {`,
      ...(fields.length === 0 ? ['  return {};'] : ['  return {', ...indent(fields), '  };']), '}'];
  }

  isDefaultFunction(s: Struct): string[] {
    const terms = s.fields.map((f) => {
      const src = `m.${f.key}`;
      if (f.def.kind === 'null') return `${src} == null`;
      if (f.def.kind === 'value') return `(${src} === undefined || ${src} === ${literal(f.def.value)})`;
      const empty = f.array || f.kind !== 'struct' ? `${src}.length === 0` : `isDefault${f.struct!.typeName}(${src})`;
      return f.nullable !== null ? `(${src} === undefined || (${src} !== null && ${empty}))` : `(${src} === undefined || ${empty})`;
    });
    return [`function isDefault${s.typeName}(${terms.length === 0 ? '_m' : 'm'}: Init<${s.typeName}>): boolean {`,
      `  return ${terms.length === 0 ? 'true' : terms.join('\n    && ')};`, '}'];
  }

  interfaceDecl(s: Struct): string[] {
    const lines = [`export interface ${s.typeName} {`];
    for (const f of s.fields) {
      const notes = [`v${rangeText(f.versions)}`];
      if (f.nullable !== null) notes.push(`nullable v${rangeText(f.nullable)}`);
      if (f.tag !== null) notes.push(`tag ${f.tag}`);
      if (f.def.kind === 'value' && f.def.value !== '' && f.def.value !== 0 && f.def.value !== 0n
        && f.def.value !== false && f.kind !== 'uuid') notes.push(`default ${literal(f.def.value)}`);
      lines.push(`  /** ${notes.join(', ')} */`, `  ${f.key}: ${fieldType(f)};`);
    }
    lines.push('}');
    return lines;
  }
}

function wrapCond(c: string, expr: string): string {
  if (c === 'true') return expr;
  return `(${c}) && ${expr}`;
}

function rangeText(r: Range | null): string {
  if (r === null) return 'none';
  if (r.max === Infinity) return `${r.min}+`;
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

function header(commit: string): string[] {
  return [
    '// Generated by tools/gen-protocol.ts. DO NOT EDIT: regenerate with `npm run gen:protocol`.',
    '// Source: the Apache Kafka message schemas (clients/src/main/resources/common/message)',
    `// at Apache Kafka commit ${commit}.`,
    '',
  ];
}

/** The struct closure that needs `default*` functions, and the one that needs `isDefault*`. */
function helperNeeds(msg: Message, reach: Map<Struct, Range>): { defaults: Set<Struct>; isDefaults: Set<Struct> } {
  const defaults = new Set<Struct>();
  const isDefaults = new Set<Struct>();
  const needDefault = (s: Struct): void => {
    if (defaults.has(s)) return;
    defaults.add(s);
    for (const f of s.fields) if (f.kind === 'struct' && !f.array && f.def.kind === 'zero') needDefault(f.struct!);
  };
  const needIsDefault = (s: Struct): void => {
    if (isDefaults.has(s)) return;
    isDefaults.add(s);
    for (const f of s.fields) if (f.kind === 'struct' && !f.array && f.def.kind === 'zero') needIsDefault(f.struct!);
  };
  for (const s of [msg.root, ...msg.structs]) {
    for (const f of s.fields) {
      if (f.kind !== 'struct' || f.array || f.def.kind !== 'zero') continue;
      const alwaysDecoded = f.tagged === null && cond(f.versions, reach.get(s) ?? msg.valid) === 'true';
      if (!alwaysDecoded) needDefault(f.struct!);
      if (f.tagged !== null) needIsDefault(f.struct!);
    }
  }
  return { defaults, isDefaults };
}

export function generateMessage(msg: Message, commit: string): string {
  const gen = new Gen(msg);
  const structs = [msg.root, ...msg.structs];
  const reach = reachableRanges(msg);
  const { defaults, isDefaults } = helperNeeds(msg, reach);
  const body: string[] = [];
  for (const s of structs) body.push(...gen.interfaceDecl(s), '');
  for (const s of structs) {
    gen.at(reach.get(s) ?? msg.valid);
    body.push(...gen.encodeFunction(s), '', ...gen.decodeFunction(s), '');
    if (defaults.has(s)) body.push(...gen.defaultFunction(s), '');
    if (isDefaults.has(s)) body.push(...gen.isDefaultFunction(s), '');
  }
  const fc = msg.flexible === null ? 'Infinity' : String(msg.flexible.min);
  const n = msg.name;
  body.push(
    `export const ${n}: MessageCodec<${n}> = {`,
    `  name: '${n}',`,
    `  apiKey: ${msg.apiKey ?? -1},`,
    `  minVersion: ${msg.valid.min},`,
    `  maxVersion: ${msg.valid.max},`,
    `  flexibleMinVersion: ${fc},`,
    `  latestVersionUnstable: ${msg.latestVersionUnstable},`,
    `  encode(w: Writer, v: number, m: Init<${n}>): void {`,
    `    if (!(v >= ${msg.valid.min} && v <= ${msg.valid.max})) throw new RangeError(\`${n}: unsupported version \${v}\`);`,
    `    encode${n}(w, v, m);`,
    '  },',
    `  decode(r: Reader, v: number): ${n} {`,
    `    if (!(v >= ${msg.valid.min} && v <= ${msg.valid.max})) throw new ProtocolDecodeError(\`${n}: unsupported version \${v}\`);`,
    `    return decode${n}(r, v);`,
    '  },',
    '};',
  );
  const text = body.join('\n');
  const values = ['EMPTY_BYTES', 'ProtocolDecodeError', 'ZERO_UUID'].filter((x) => new RegExp(`\\b${x}\\b`).test(text));
  if (/\bnew Writer\(/.test(text)) values.splice(2, 0, 'Writer');
  const types = ['Init', 'MessageCodec', 'Reader'];
  if (!values.includes('Writer')) types.push('Writer');
  const imports = [...values, ...types.map((t) => `type ${t}`)].join(', ');
  return [...header(commit), `import { ${imports} } from '../primitives.js';`, '', text, ''].join('\n');
}

export function generateIndex(msgs: Message[], commit: string): string {
  const lines = [...header(commit)];
  lines.push("import type { MessageCodec } from '../primitives.js';");
  for (const m of msgs) lines.push(`import { ${m.name} } from './${m.fileName.replace(/\.ts$/, '.js')}';`);
  lines.push('');
  for (const m of msgs) lines.push(`export * from './${m.fileName.replace(/\.ts$/, '.js')}';`);
  lines.push('');
  const apis = apiPairs(msgs);
  lines.push('/** Kafka API keys by name. */', 'export const ApiKey = {');
  for (const a of apis) lines.push(`  ${a.name}: ${a.apiKey},`);
  lines.push('} as const;', '', 'export type ApiKeyName = keyof typeof ApiKey;', '');
  lines.push(
    'export interface ApiMessage {',
    '  readonly name: ApiKeyName;',
    '  readonly apiKey: number;',
    '  readonly request: MessageCodec<unknown>;',
    '  readonly response: MessageCodec<unknown>;',
    '}',
    '',
    '/** Request and response codecs by API key. */',
    'export const apiMessages: ReadonlyMap<number, ApiMessage> = new Map<number, ApiMessage>([',
  );
  for (const a of apis) {
    lines.push(`  [${a.apiKey}, { name: '${a.name}', apiKey: ${a.apiKey}, request: ${a.name}Request, response: ${a.name}Response }],`);
  }
  lines.push(']);', '', '/** Every codec (requests, responses and data schemas) by message name. */',
    'export const messageCodecs: ReadonlyMap<string, MessageCodec<unknown>> = new Map<string, MessageCodec<unknown>>([');
  for (const m of msgs) lines.push(`  ['${m.name}', ${m.name}],`);
  lines.push(']);', '');
  return lines.join('\n');
}

export function apiPairs(msgs: Message[]): { name: string; apiKey: number }[] {
  const byName = new Map(msgs.map((m) => [m.name, m]));
  const out: { name: string; apiKey: number }[] = [];
  for (const m of msgs) {
    if (m.type !== 'request') continue;
    const base = m.name.replace(/Request$/, '');
    const resp = byName.get(`${base}Response`);
    if (resp === undefined || resp.apiKey !== m.apiKey || m.apiKey === null) {
      throw new Error(`${m.name}: no matching response`);
    }
    out.push({ name: base, apiKey: m.apiKey });
  }
  out.sort((a, b) => a.apiKey - b.apiKey);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.apiKey === out[i - 1]!.apiKey) throw new Error(`duplicate api key ${out[i]!.apiKey}`);
  }
  return out;
}

/** Generates every output file: file name -> contents. */
export function generateAll(dir: string = schemaDir()): Map<string, string> {
  const msgs = loadSchemas(dir);
  const commit = schemaCommit(dir);
  const names = new Set<string>();
  for (const m of msgs) {
    for (const s of [m.root, ...m.structs]) {
      if (names.has(s.typeName)) throw new Error(`duplicate exported type ${s.typeName}`);
      names.add(s.typeName);
    }
  }
  const files = new Map<string, string>();
  for (const m of msgs) files.set(m.fileName, generateMessage(m, commit));
  files.set('index.ts', generateIndex(msgs, commit));
  return files;
}

function main(): void {
  const outFlag = process.argv.indexOf('--out');
  const out = outFlag >= 0 ? path.resolve(process.argv[outFlag + 1]!) : path.join(REPO_ROOT, 'broker/protocol/generated');
  const files = generateAll();
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) {
    if (f.endsWith('.ts') && !files.has(f)) rmSync(path.join(out, f));
  }
  for (const [name, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    writeFileSync(path.join(out, name), text);
  }
  process.stdout.write(`gen-protocol: wrote ${files.size} files to ${path.relative(process.cwd(), out) || '.'}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main();
}
