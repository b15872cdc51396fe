/**
 * Where the compat harness finds its broker and its third-party tools.
 *
 * Every tool comes from scripts/setup-compat.sh, which caches it under TRIBUTARY_CACHE. A test never
 * skips a missing tool: it fails and names the setup command, so a green run means every client ran.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoDir = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const compatDir = join(repoDir, 'test', 'compat');
export const setupCommand = 'scripts/setup-compat.sh';

/** The broker under test: Tributary by default, or Apache Kafka when the harness is proving itself. */
export const bootstrap = process.env['COMPAT_BOOTSTRAP'] ?? 'localhost:9092';
export const recordCount = Number(process.env['COMPAT_RECORDS'] ?? '10000');
export const partitionCount = 3;

export const cacheDir = process.env['TRIBUTARY_CACHE'] ?? join(homedir(), '.cache', 'tributary');
export const kafkaVersion = process.env['KAFKA_VERSION'] ?? '4.4.0';
export const kafkaDistDir = join(cacheDir, `kafka-${kafkaVersion}`);
export const kafkaLibsClasspath = join(kafkaDistDir, 'libs', '*');
export const kafkaLog4jConfig = join(kafkaDistDir, 'config', 'log4j2.properties');
export const venvPython = join(cacheDir, 'compat-venv', 'bin', 'python');

const javaSource = join(compatDir, 'java', 'CompatClient.java');

/** setup-compat.sh compiles CompatClient.java into a folder named by the source's hash, so an edit
 * to the source is never run stale: the test fails and asks for setup again. */
export function javaClassesDir(): string {
  const sourceSha256 = createHash('sha256').update(readFileSync(javaSource)).digest('hex');
  return join(cacheDir, 'compat-java', sourceSha256.slice(0, 16));
}

export class MissingToolError extends Error {
  constructor(what: string, detail: string) {
    super(`${what} is not available (${detail}). Install it with: ${setupCommand}`);
    this.name = 'MissingToolError';
  }
}

export function requireFile(path: string, what: string): string {
  if (!existsSync(path)) throw new MissingToolError(what, `${path} does not exist`);
  return path;
}

export function requireCommand(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  throw new MissingToolError(name, 'not found on PATH');
}
