/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof DIR`)
 * as Markdown tables: the functions with the most self time, the most inclusive time, and self time
 * per source file, so a report can name hot spots precisely (file:line) without a browser.
 *
 * Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Args } from './lib/args.js';
import { REPO_ROOT } from './lib/brokers.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  let path = url;
  try {
    if (url.startsWith('file://')) path = fileURLToPath(url);
  } catch {
    path = url;
  }
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm);
  return path.startsWith('/') ? relative(REPO_ROOT, path).replace(/^\.cache\/tributary\/bench-build\//, '') : path;
}

function frameKey(f: CallFrame): string {
  const file = shortUrl(f.url);
  const name = f.functionName === '' ? '(anonymous)' : f.functionName;
  return file === '' ? name : `${name} ${file}:${f.lineNumber + 1}`;
}

export function summarize(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const perFile = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    all += dt;
    const node = byId.get(id)!;
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const file = shortUrl(node.callFrame.url) || node.callFrame.functionName;
    perFile.set(file, (perFile.get(file) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = frameKey(byId.get(cur)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const pct = (v: number): string => `${((100 * v) / all).toFixed(1)} %`;
  const table = (title: string, map: Map<string, number>, column: string): string[] => [
    `### ${title}`, '', `| ${column} | share of samples |`, '|---|---:|',
    ...[...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `| \`${k.replace(/\|/g, '/')}\` | ${pct(v)} |`), '',
  ];
  return [
    `Profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s, ${profile.samples.length} samples.`, '',
    ...table('Self time by function', self, 'function file:line'),
    ...table('Self time by file', perFile, 'file'),
    ...table('Inclusive time by function', total, 'function file:line'),
  ].join('\n');
}

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith('--'));
  if (file === undefined) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N]');
  const args = new Args(argv.filter((a) => a !== file), []);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${summarize(profile, args.number('top', 25))}\n`);
}

main();
