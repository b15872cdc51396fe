import test from 'ava';
import { ConfigError } from '../../broker/config/config-error.js';
import { parseProperties } from '../../broker/config/properties.js';

const cases: { title: string; text: string; expected: Record<string, string> }[] = [
  { title: 'key=value and key: value and key value', text: 'a=1\nb: 2\nc 3\n', expected: { a: '1', b: '2', c: '3' } },
  { title: 'blanks around the separator are skipped, trailing blanks kept', text: '  a  =  x y  \n', expected: { a: 'x y  ' } },
  { title: '# and ! comments, blank lines', text: '# c\n! c\n\n   # indented comment\na=1\n', expected: { a: '1' } },
  { title: 'a # inside a value is data', text: 'a=x#y\n', expected: { a: 'x#y' } },
  { title: 'line continuation drops leading blanks of the next line', text: 'a=one,\\\n    two,\\\n  three\n', expected: { a: 'one,two,three' } },
  { title: 'an even number of backslashes is not a continuation', text: 'a=x\\\\\nb=y\n', expected: { a: 'x\\', b: 'y' } },
  { title: 'a continuation line starting with # is data', text: 'a=1\\\n#2\n', expected: { a: '1#2' } },
  { title: 'escapes \\t \\n \\uXXXX and \\x', text: 'a=\\t\\n\\u0041\\q\n', expected: { a: '\t\nAq' } },
  { title: 'escaped separators inside the key', text: 'a\\=b\\:c\\ d=v\n', expected: { 'a=b:c d': 'v' } },
  { title: 'key with empty value', text: 'a=\nb\n', expected: { a: '', b: '' } },
  { title: 'CRLF and CR line endings', text: 'a=1\r\nb=2\rc=3', expected: { a: '1', b: '2', c: '3' } },
  { title: 'last duplicate wins', text: 'a=1\na=2\n', expected: { a: '2' } },
  { title: 'continuation at end of input', text: 'a=1\\', expected: { a: '1' } },
  { title: 'only the first separator splits', text: 'a=b=c:d\n', expected: { a: 'b=c:d' } },
];

for (const c of cases) {
  test(`parseProperties: ${c.title}`, (t) => {
    t.deepEqual(Object.fromEntries(parseProperties(c.text)), c.expected);
  });
}

test('parseProperties: a malformed \\u escape is a ConfigError naming the line', (t) => {
  const error = t.throws(() => parseProperties('a=1\nb=\\u12G4\n'), { instanceOf: ConfigError });
  t.regex(error!.message, /line 2/);
});
