// cli/young-generation.ts keeps V8's young generation at 1 MiB semi-spaces (the default grows to
// 8+ MiB, and Buffer churn then turned into twice-a-second full GCs that stalled the event loop).
// A V8 flag is process-wide and must be set before anything else runs, so each case runs in a
// plain node child: the module transpiled with esbuild (no tsx loader, which would itself grow the
// young generation first), then a churn of short-lived objects and Buffers.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const SOURCE = fileURLToPath(new URL('../../cli/young-generation.ts', import.meta.url));
const CHURN = `
  const { getHeapSpaceStatistics } = await import('node:v8');
  let keep = [];
  for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; Buffer.allocUnsafe(8192); }
  process.stdout.write(String(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));
`;

function newSpaceAfterChurn(t: { teardown: (fn: () => void) => void }, options: { withModule: boolean; nodeArgs?: string[] }): number {
  const dir = mkdtempSync(join(tmpdir(), 'young-generation-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const module = join(dir, 'young-generation.mjs');
  writeFileSync(module, transformSync(readFileSync(SOURCE, 'utf8'), { loader: 'ts', format: 'esm' }).code);
  const script = join(dir, 'main.mjs');
  writeFileSync(script, `${options.withModule ? "import './young-generation.mjs';\n" : ''}${CHURN}`);
  const out = execFileSync(process.execPath, [...(options.nodeArgs ?? []), script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return Number(out);
}

const MiB = 1024 * 1024;

test('imported first, the module holds the young generation at 1 MiB semi-spaces under churn', (t) => {
  // V8 13 (Node 24) sizes new space in pages and now and then lands a page or two above the
  // target (2.25 or 2.5 MiB); what matters is that it stops there instead of growing to 32+ MiB.
  const held = newSpaceAfterChurn(t, { withModule: true });
  t.true(held >= 2 * MiB && held < 4 * MiB, `new space ${held} bytes, expected 2 MiB (up to a few pages more)`);
  t.true(newSpaceAfterChurn(t, { withModule: false }) >= 16 * MiB, 'without it the same churn grows the young generation');
});

test("node's own semi-space flags win over the module", (t) => {
  t.is(newSpaceAfterChurn(t, { withModule: true, nodeArgs: ['--max-semi-space-size=2'] }), 4 * MiB);
});
