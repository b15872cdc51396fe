/**
 * Resource readings of a running process from Linux's /proc: resident memory (current and peak)
 * and CPU seconds (user + system). Used by both benchmarks to put W4 (resources) beside every
 * workload. Linux only; a missing process reads as NaN rather than throwing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

let clockTicksPerSecond: number | null = null;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === null) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

export interface ProcSample {
  /** Peak resident set since start or the last `resetPeakRss` (VmHWM), MiB. */
  peakRssMiB: number;
  /** Current resident set (VmRSS), MiB. */
  rssMiB: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
}

function statusKiB(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m === null ? Number.NaN : Number(m[1]);
}

export function sampleProcess(pid: number): ProcSample {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime/stime are 14/15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      peakRssMiB: statusKiB(status, 'VmHWM') / 1024,
      rssMiB: statusKiB(status, 'VmRSS') / 1024,
      cpuSeconds: ticks / ticksPerSecond(),
    };
  } catch {
    return { peakRssMiB: Number.NaN, rssMiB: Number.NaN, cpuSeconds: Number.NaN };
  }
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs), so a peak can be read per workload. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Resource use of one workload: peak RSS during it and CPU seconds spent in it. */
export interface ResourceUse {
  peakRssMiB: number;
  cpuSeconds: number;
}

/** Starts a measurement window on `pid`; the returned function closes it. */
export function measureWindow(pid: number): () => ResourceUse {
  resetPeakRss(pid);
  const before = sampleProcess(pid);
  return () => {
    const after = sampleProcess(pid);
    return { peakRssMiB: after.peakRssMiB, cpuSeconds: after.cpuSeconds - before.cpuSeconds };
  };
}

/** Short machine description: CPU model, core count, memory, kernel, Node and Java versions. */
export function describeMachine(): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    out['cpu'] = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
    out['cores (online)'] = String((cpuinfo.match(/^processor\s*:/gm) ?? []).length);
    const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
    if (mhz !== undefined) out['cpu MHz'] = mhz.trim();
  } catch {
    out['cpu'] = 'unknown';
  }
  const run = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (err) {
      const e = err as { stderr?: string };
      return (e.stderr ?? '').trim() || 'unavailable';
    }
  };
  const mem = run('free', ['-m']).split('\n').find((l) => l.startsWith('Mem:'));
  if (mem !== undefined) {
    const cols = mem.split(/\s+/);
    out['memory'] = `${cols[1]} MiB total, ${cols[6] ?? '?'} MiB available at start`;
  }
  out['kernel'] = run('uname', ['-r']);
  out['node'] = process.version;
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  out['java'] = `${java.stdout ?? ''}${java.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unavailable';
  out['load average at start'] = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  out['disk (data dirs)'] = run('df', ['-h', '--output=source,fstype,size,avail', process.env['TMPDIR'] ?? '/tmp']).split('\n')[1] ?? '';
  return out;
}

/** The 1-minute load average now. */
export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}
