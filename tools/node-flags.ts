/**
 * The node flags the `tributary` command runs with: bin/tributary.js's `#!/usr/bin/env -S node
 * [flags]` shebang is their one definition (V8 reads them only at heap setup, see the comment
 * there). The benchmarks start brokers with them, the tests check `npm start` passes them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tributary.js', import.meta.url));

export function shippedNodeFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(first);
  if (match === null) throw new Error(`bin/tributary.js starts with '${first}', not '#!/usr/bin/env -S node [flags]'`);
  return match[1]!.trim().split(' ').filter((f) => f !== '');
}
