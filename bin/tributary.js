#!/usr/bin/env node
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
