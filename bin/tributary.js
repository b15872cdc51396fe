#!/usr/bin/env -S node --initial-old-space-size=64
// The node flag above is part of the product: V8 counts Buffer memory (socket reads, request
// frames) against the old generation's allocation limit, which on a broker's small heap is ~10 MB,
// so under heavy produce it ran a full mark-compact every ~60 ms (48 in a 1 GiB librdkafka produce;
// none with the flag: 6-partition produce +40 %, broker CPU per GiB -33 %, peak RSS unchanged,
// W3 p99 no worse; bench/results/2026-11-26-profile-3.md). V8 reads it only when the heap is set
// up and NODE_OPTIONS refuses it, hence the shebang (`env -S`: GNU coreutils >= 8.30, BSD, macOS).
// `npm start` and the benchmarks pass the same flag; broker/main.ts warns when it is missing.
//
// Runs the bundle that `npm run build` writes (dist/tributary.mjs) when it exists, otherwise the
// TypeScript sources through tsx, so a fresh clone works without a build.
// Source maps (stack traces that point at the .ts files) cost about 25 ms of start-up, so they are
// off unless TRIBUTARY_DEBUG=1 (which also prints the stack of an unexpected CLI error) or node runs
// with --enable-source-maps. They must be on before the bundle loads to apply to it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'tributary.mjs');
if (existsSync(bundle)) {
  if (process.env.TRIBUTARY_DEBUG === '1') process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'cli', 'main.ts')).href);
}
