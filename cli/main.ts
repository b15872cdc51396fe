/**
 * Entry point of the `tributary` command (`bin/tributary.js` imports this module): runs `main` from
 * cli.ts with the process's arguments and streams, then exits with its code.
 */
import './young-generation.js'; // first: see the module
import { main } from './cli.js';
import type { CliIo } from './common.js';

const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

const code = await main(process.argv.slice(2), processIo);
// Wait for stdout to drain (it may be a pipe), then exit even if a stray handle is left.
process.stdout.write('', () => process.exit(code));
