/**
 * The generated metadata agrees with the JSON schemas, read here with a parser of its own
 * (not the generator's model), and the committed generated files are what the generator makes now.
 */
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ApiKey, apiMessages, messageCodecs } from '../../broker/protocol/generated/index.js';
import { generateAll, REPO_ROOT, schemaDir } from '../../tools/gen-protocol.js';

interface Schema {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
}

function readSchemas(): Schema[] {
  const dir = schemaDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const text = readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*\/\//.test(line))
        .join('\n');
      return JSON.parse(text) as Schema;
    })
    .filter((s) => s.type !== 'header');
}

function bounds(spec: string): [number, number] {
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return [Number(plus[1]), Infinity];
  const [lo, hi] = spec.split('-').map(Number);
  return [lo!, hi ?? lo!];
}

const schemas = readSchemas();

test('every request, response and data schema has a codec with its name, key and versions', (t) => {
  t.true(schemas.length > 150);
  t.is(messageCodecs.size, schemas.length);
  for (const s of schemas) {
    const codec = messageCodecs.get(s.name);
    if (codec === undefined) {
      t.fail(`missing codec ${s.name}`);
      continue;
    }
    const [min, max] = bounds(s.validVersions);
    const flexible = s.flexibleVersions === 'none' ? Infinity : bounds(s.flexibleVersions)[0];
    t.deepEqual(
      [codec.name, codec.apiKey, codec.minVersion, codec.maxVersion, codec.flexibleMinVersion, codec.latestVersionUnstable],
      [s.name, s.apiKey ?? -1, min, max, flexible, s.latestVersionUnstable === true],
      s.name,
    );
  }
});

test('ApiKey and apiMessages list every API exactly once, pairing request and response', (t) => {
  const requests = schemas.filter((s) => s.type === 'request');
  t.is(apiMessages.size, requests.length);
  t.is(Object.keys(ApiKey).length, requests.length);
  for (const s of requests) {
    const name = s.name.replace(/Request$/, '');
    t.is<number | undefined, number | undefined>((ApiKey as Record<string, number>)[name], s.apiKey, name);
    const api = apiMessages.get(s.apiKey!);
    t.is<string | undefined, string | undefined>(api?.name, name);
    t.is(api?.request.name, s.name);
    t.is(api?.response.name, `${name}Response`);
    t.is(api?.response.apiKey, s.apiKey);
  }
  t.is(ApiKey.Produce, 0);
  t.is(ApiKey.Fetch, 1);
  t.is(ApiKey.Metadata, 3);
  t.is(ApiKey.ApiVersions, 18);
  t.false([...apiMessages.values()].some((a) => a.name.startsWith('ConsumerProtocol')), 'data schemas have no api key');
});

test('the generated files on disk are exactly what the generator produces (no drift)', (t) => {
  const dir = path.join(REPO_ROOT, 'broker/protocol/generated');
  const expected = generateAll();
  const onDisk = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  t.deepEqual(onDisk, [...expected.keys()].sort());
  for (const [name, text] of expected) {
    if (readFileSync(path.join(dir, name), 'utf8') !== text) t.fail(`${name} differs; run npm run gen:protocol`);
  }
  t.regex(expected.get('index.ts')!, /DO NOT EDIT/);
  t.regex(expected.get('index.ts')!, /1eb7644349cb07139d6a3c1ad1986979647cac99/);
});

test('generated output carries no schema comments or about texts', (t) => {
  const produce = generateAll().get('produce-request.ts')!;
  const schemaText = readFileSync(path.join(schemaDir(), 'ProduceRequest.json'), 'utf8');
  const abouts = [...schemaText.matchAll(/"about":\s*"([^"]{20,})"/g)].map((m) => m[1]!);
  t.true(abouts.length > 0);
  for (const about of abouts) t.false(produce.includes(about), about);
  t.false(produce.includes('Licensed to the Apache Software Foundation'));
});
