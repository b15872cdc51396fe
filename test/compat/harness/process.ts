/**
 * Runs one external tool with a hard deadline.
 *
 * The tool gets its own process group (detached), so a timeout kills it and everything it started
 * (a JVM, a shell pipeline). Output is collected whole: the tools print at most a few MB.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export interface ToolRun {
  command: string;
  args: readonly string[];
  timeoutMs: number;
  /** A file to feed on stdin; stdin is closed when absent. */
  stdinPath?: string;
  env?: Record<string, string>;
  cwd?: string;
}

export interface ToolResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  isTimedOut: boolean;
}

export function runTool(run: ToolRun): Promise<ToolResult> {
  const startedMs = performance.now();
  const stdinFd = run.stdinPath === undefined ? 'ignore' : openSync(run.stdinPath, 'r');
  return new Promise((resolvePromise, rejectPromise) => {
    const child = spawn(run.command, run.args, {
      cwd: run.cwd,
      env: { ...process.env, ...run.env },
      stdio: [stdinFd, 'pipe', 'pipe'],
      detached: true,
    });
    if (typeof stdinFd === 'number') closeSync(stdinFd);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      killGroup(child.pid);
    }, run.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      rejectPromise(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: performance.now() - startedMs,
        isTimedOut,
      });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** Runs the tool and throws, with the command and the tail of its stderr, unless it exits 0. */
export async function runToolOk(run: ToolRun): Promise<ToolResult> {
  const result = await runTool(run);
  if (result.exitCode === 0 && !result.isTimedOut) return result;
  const why = result.isTimedOut
    ? `timed out after ${run.timeoutMs} ms`
    : `exited ${result.exitCode ?? result.signal}`;
  const stderrTail = result.stderr.trimEnd().split('\n').slice(-30).join('\n');
  throw new Error(`${run.command} ${run.args.join(' ')}\n${why}; stderr:\n${stderrTail}`);
}
