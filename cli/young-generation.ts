/**
 * Keeps V8's young generation at its start-up size (1 MiB semi-spaces) for the whole process.
 *
 * Why: the broker churns Buffers (socket reads, fetch reads) at tens of MB/s while its JS heap stays
 * small. V8 counts that Buffer memory against the old generation, so with the default young
 * generation (it grows to 8 MiB during start-up and never shrinks) minor GCs that would free those
 * Buffers come only every ~1.5 s and a full mark-compact runs twice a second instead, stalling
 * the event loop 10-35 ms each time: librdkafka's end-to-end p99 at a fixed rate went from ~9.5 ms
 * to ~21 ms (measured for the benchmark issue, W3). Small semi-spaces make many ~0.5 ms minor GCs
 * free the Buffers early, and full collections become rare.
 *
 * It must run before the rest of the program is even loaded (setting it once the broker starts is
 * too late: start-up has already grown the young generation), hence its own module, imported first
 * by the entry point. Node's own `--max-semi-space-size` / `--semi-space-*` flags (command line or
 * NODE_OPTIONS) win: then this does nothing.
 */
import { setFlagsFromString } from 'node:v8';

const nodeFlags = `${process.execArgv.join(' ')} ${process.env['NODE_OPTIONS'] ?? ''}`;
if (!/--(max-)?semi[-_]space/.test(nodeFlags)) setFlagsFromString('--semi-space-growth-factor=1');
