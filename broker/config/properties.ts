/**
 * Java `.properties` text -> key/value map, following `java.util.Properties.load` rules:
 * - lines end at `\n`, `\r` or `\r\n`; a line ending in an odd number of backslashes continues on
 *   the next line, whose leading whitespace is dropped;
 * - a line whose first non-blank character is `#` or `!` is a comment (only at the start of a
 *   logical line: a continuation line starting with `#` is data);
 * - the key ends at the first unescaped `=`, `:` or whitespace; then blanks, at most one `=`/`:`,
 *   and more blanks are skipped; the rest of the line is the value (trailing blanks kept);
 * - escapes `\t \n \r \f \uXXXX`, and `\x` -> `x` for any other character;
 * - a repeated key keeps the last value.
 * Pure; Kafka trims values when it parses them, and so does broker-config.ts, not this module.
 */
import { ConfigError } from './config-error.js';

const BLANKS = new Set([' ', '\t', '\f']);

export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const logical of logicalLines(text)) {
    const { key, value } = splitKeyValue(logical.text, logical.lineNumber);
    result.set(key, value);
  }
  return result;
}

interface LogicalLine {
  readonly text: string;
  readonly lineNumber: number;
}

function logicalLines(text: string): LogicalLine[] {
  const natural = text.split(/\r\n|\r|\n/);
  const lines: LogicalLine[] = [];
  let index = 0;
  while (index < natural.length) {
    const lineNumber = index + 1;
    let line = stripLeadingBlanks(natural[index]!);
    index += 1;
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && index < natural.length) {
      line = line.slice(0, -1) + stripLeadingBlanks(natural[index]!);
      index += 1;
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1); // continuation at end of input
    lines.push({ text: line, lineNumber });
  }
  return lines;
}

function stripLeadingBlanks(line: string): string {
  let start = 0;
  while (start < line.length && BLANKS.has(line[start]!)) start += 1;
  return line.slice(start);
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}

function splitKeyValue(line: string, lineNumber: number): { key: string; value: string } {
  let keyEnd = 0;
  while (keyEnd < line.length) {
    const c = line[keyEnd]!;
    if (c === '\\') {
      keyEnd += 2;
      continue;
    }
    if (c === '=' || c === ':' || BLANKS.has(c)) break;
    keyEnd += 1;
  }
  keyEnd = Math.min(keyEnd, line.length);
  let valueStart = keyEnd;
  while (valueStart < line.length && BLANKS.has(line[valueStart]!)) valueStart += 1;
  if (valueStart < line.length && (line[valueStart] === '=' || line[valueStart] === ':')) {
    valueStart += 1;
    while (valueStart < line.length && BLANKS.has(line[valueStart]!)) valueStart += 1;
  }
  return {
    key: unescape(line.slice(0, keyEnd), lineNumber),
    value: unescape(line.slice(valueStart), lineNumber),
  };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(text: string, lineNumber: number): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i += 1;
    if (i >= text.length) break; // a lone trailing backslash is dropped, as Java does
    const e = text[i]!;
    if (e === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new ConfigError(`Malformed \\uXXXX escape "\\u${hex}" on line ${lineNumber} of the properties file`);
      }
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[e] ?? e;
    }
  }
  return out;
}
