// Start-up cost guards: modules that cost tens of milliseconds to load are loaded on first use, not
// when the broker's modules are imported. Each check reads node's CommonJS module cache (the
// addons and fastify are CommonJS), so the tests run in order in this file's own process.
import test from 'ava';
import { createRequire } from 'node:module';
import { sep } from 'node:path';

const moduleCache = createRequire(import.meta.url).cache;

function isLoaded(packageName: string): boolean {
  const marker = `${sep}node_modules${sep}${packageName.split('/').join(sep)}${sep}`;
  return Object.keys(moduleCache).some((file) => file.includes(marker));
}

test.serial('importing the compression module loads no codec addon; a codec loads on first use', async (t) => {
  const { Compression, compress, decompress } = await import('../../broker/protocol/compression.js');
  for (const name of ['snappy', 'lz4-napi', 'zstd-napi']) t.false(isLoaded(name), `${name} loaded at import`);
  const data = Buffer.from('lazy codecs, lazy codecs, lazy codecs');
  t.deepEqual(decompress(Compression.Zstd, compress(Compression.Zstd, data)), data);
  t.true(isLoaded('zstd-napi'));
  t.false(isLoaded('snappy'));
  t.false(isLoaded('lz4-napi'));
});

test.serial('the HTTP module loads fastify only to build the app, and never its schema compilers', async (t) => {
  const { buildHttpApp } = await import('../../broker/http/server.js');
  const { createMetrics } = await import('../../broker/http/metrics.js');
  t.false(isLoaded('fastify'), 'fastify loaded at import');
  const app = await buildHttpApp({ metrics: createMetrics({ processMetrics: false }), isReady: () => true });
  t.true(isLoaded('fastify'));
  t.is((await app.inject({ url: '/readyz' })).statusCode, 200);
  t.false(isLoaded('@fastify/ajv-compiler'));
  t.false(isLoaded('@fastify/fast-json-stringify-compiler'));
  await app.close();
});

test.serial('a route given a JSON schema is refused with a message that says why', async (t) => {
  const { buildHttpApp } = await import('../../broker/http/server.js');
  const { createMetrics } = await import('../../broker/http/metrics.js');
  const app = await buildHttpApp({ metrics: createMetrics({ processMetrics: false }), isReady: () => true });
  app.post('/with-schema', { schema: { body: { type: 'object' } } }, async () => ({}));
  const error = await t.throwsAsync(app.ready());
  t.regex(error.message, /carry no schemas/);
  await app.close().catch(() => undefined);
});
