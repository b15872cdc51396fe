/**
 * Typed config values: the value types Kafka's ConfigDef knows, parsing from text, and validators
 * that carry a human description of what they accept (used verbatim in error messages).
 * Shared by broker keys (definitions.ts) and topic keys (topic-config.ts). Pure.
 *
 * Departures from Kafka: `long` values are JavaScript numbers; anything beyond 2^53-1 (typically
 * Long.MAX_VALUE = 9223372036854775807, Kafka's "no limit") is clamped to Number.MAX_SAFE_INTEGER,
 * which is still "no limit" for every time and size Tributary handles. An empty value for a key whose
 * default is null means null (handy for `KEY=` in env files); Kafka would reject it.
 */
export type ConfigType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'class' | 'password';

export type ConfigValue = number | boolean | string | readonly string[] | null;

export interface Validator {
  /** What a valid value looks like, for error messages: "a value >= 1", "one of [a, b]". */
  readonly expected: string;
  readonly accepts: (value: ConfigValue) => boolean;
}

export type ParseResult = { readonly ok: true; readonly value: ConfigValue } | { readonly ok: false; readonly expected: string };

export const LONG_MAX_TEXT = '9223372036854775807';
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function parseValue(type: ConfigType, text: string | null, nullable: boolean): ParseResult {
  if (text === null) return nullable ? { ok: true, value: null } : { ok: false, expected: `a ${type} value` };
  const trimmed = text.trim();
  if (trimmed === '' && nullable && type !== 'string' && type !== 'list' && type !== 'password') {
    return { ok: true, value: null };
  }
  switch (type) {
    case 'int':
      return parseInteger(trimmed, INT_MIN, INT_MAX, 'an int (32-bit integer)');
    case 'short':
      return parseInteger(trimmed, SHORT_MIN, SHORT_MAX, 'a short (16-bit integer)');
    case 'long':
      return parseLong(trimmed);
    case 'double':
      return parseDouble(trimmed);
    case 'boolean':
      return parseBoolean(trimmed);
    case 'list':
      return { ok: true, value: parseList(trimmed) };
    case 'class':
      return /^([A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*)?$/.test(trimmed)
        ? { ok: true, value: trimmed }
        : { ok: false, expected: 'a fully qualified class name' };
    case 'string':
    case 'password':
      return { ok: true, value: trimmed };
  }
}

function parseInteger(text: string, min: number, max: number, expected: string): ParseResult {
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, expected };
  const value = Number(text);
  return value >= min && value <= max ? { ok: true, value } : { ok: false, expected };
}

function parseLong(text: string): ParseResult {
  const expected = 'a long (64-bit integer)';
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, expected };
  const big = BigInt(text);
  if (big < LONG_MIN || big > LONG_MAX) return { ok: false, expected };
  const clamped = big > BigInt(Number.MAX_SAFE_INTEGER)
    ? Number.MAX_SAFE_INTEGER
    : big < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(big);
  return { ok: true, value: clamped };
}

function parseDouble(text: string): ParseResult {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) return { ok: false, expected: 'a double (decimal number)' };
  return { ok: true, value };
}

function parseBoolean(text: string): ParseResult {
  const lower = text.toLowerCase();
  if (lower === 'true') return { ok: true, value: true };
  if (lower === 'false') return { ok: true, value: false };
  return { ok: false, expected: 'true or false' };
}

/** Kafka's list parsing: comma separated, blanks around items dropped, "" is the empty list. */
export function parseList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(/\s*,\s*/);
}

// ---- validators ----

export function atLeast(min: number): Validator {
  return { expected: `a value >= ${min}`, accepts: (v) => v === null || (typeof v === 'number' && v >= min) };
}

export function between(min: number, max: number): Validator {
  return {
    expected: `a value in [${min}, ${max}]`,
    accepts: (v) => v === null || (typeof v === 'number' && v >= min && v <= max),
  };
}

export function oneOf(...allowed: string[]): Validator {
  return { expected: `one of [${allowed.join(', ')}]`, accepts: (v) => v === null || (typeof v === 'string' && allowed.includes(v)) };
}

export function listOf(allowed: readonly string[], options: { nonEmpty: boolean }): Validator {
  const prefix = options.nonEmpty ? 'a non-empty list' : 'a list';
  return {
    expected: `${prefix} of [${allowed.join(', ')}]`,
    accepts: (v) => Array.isArray(v) && (!options.nonEmpty || v.length > 0) && v.every((item) => allowed.includes(item)),
  };
}

export function matchingEach(pattern: RegExp, expected: string): Validator {
  return { expected, accepts: (v) => v === null || (Array.isArray(v) && v.every((item) => pattern.test(item))) };
}

export function matching(pattern: RegExp, expected: string): Validator {
  return { expected, accepts: (v) => v === null || (typeof v === 'string' && pattern.test(v)) };
}

/** Closest candidate by edit distance, if it is close enough to be a plausible typo. */
export function closestMatch(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 4));
  return bestDistance <= limit ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export function formatValue(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
