/**
 * `npm run build` (after tsc's type check): bundles each shipped entry point with esbuild into one
 * ES module, because loading one file is much faster than resolving, reading and compiling the
 * hundreds of small modules that tsc emits and that the npm packages are made of:
 *   dist/tributary.mjs  the `tributary` command (cli/main.ts); bin/tributary.js runs it when present
 *   dist/operator.mjs   the operator (operator/main.ts); operator/Dockerfile runs it
 *
 * What goes in: our TypeScript always. For the `tributary` bundle, also the pure-JavaScript npm
 * packages (fastify, prom-client and what they pull in: about 60 ms less start-up than loading them
 * from node_modules), but never a native addon: a package that builds or ships a `.node` binary
 * (package.json `napi` or `gypfile`, or a binding.gyp) stays external and is loaded from
 * node_modules at run time. `nativeAddonPackages` finds them among the installed packages (the top
 * level of node_modules, where npm puts them unless two versions are needed). The operator bundle
 * keeps every npm package external (its start-up time does not matter, and @kubernetes/client-node
 * is large). Bundled CommonJS packages call `require` for node built-ins, so that bundle defines
 * one (createRequire) in a banner. Both images still install the production dependencies.
 *
 * Source maps: each bundle has a linked map (`*.mjs.map`, mappings only, no sources inlined); node
 * uses it for stack traces only when source maps are on before the bundle loads (`node
 * --enable-source-maps`, or TRIBUTARY_DEBUG=1 through bin/tributary.js). They cost about 20 ms of
 * start-up, so they are off by default.
 * The output directory is emptied first, so no stale file from an earlier build is left to run.
 * bench/lib/brokers.ts calls `buildBundles` too, so the benchmark measures what ships.
 *
 * Usage: node --import tsx tools/build.ts [--outdir DIR]   (default: dist/)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync, type BuildOptions } from 'esbuild';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface BundleSpec {
  /** Entry point, relative to the repository root. */
  readonly entry: string;
  /** Bundle pure-JavaScript npm packages too (native addons stay external regardless). */
  readonly bundleJsPackages: boolean;
}

/** Bundle name (the file is `<name>.mjs`) -> how to build it. */
const BUNDLES = {
  tributary: { entry: 'cli/main.ts', bundleJsPackages: true },
  operator: { entry: 'operator/main.ts', bundleJsPackages: false },
} as const satisfies Record<string, BundleSpec>;

export type BundleName = keyof typeof BUNDLES;

/**
 * Packages that fastify requires only on paths the broker does not take, left out of the bundle
 * (about 800 KiB less to compile at every start) and loaded from node_modules if ever needed:
 * pino (fastify's logger: off), its JSON-schema compilers ajv and fast-json-stringify (replaced, see
 * broker/http/server.ts) and light-my-request (`inject()`, used by tests).
 */
const UNUSED_AT_RUN_TIME = ['pino', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'light-my-request'];

/** Gives bundled CommonJS code the `require` it expects (for node built-ins); ESM has none. */
const REQUIRE_BANNER = "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);";

const COMMON_OPTIONS: BuildOptions = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
};

/** Builds every bundle into `outDir` (emptied first); returns each bundle's absolute path. */
export function buildBundles(outDir: string = path.join(REPO_ROOT, 'dist')): Record<BundleName, string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const paths = {} as Record<BundleName, string>;
  for (const name of Object.keys(BUNDLES) as BundleName[]) {
    const spec: BundleSpec = BUNDLES[name];
    const outfile = path.join(outDir, `${name}.mjs`);
    const result = buildSync({ ...COMMON_OPTIONS, ...packageOptions(spec), entryPoints: [spec.entry], outfile });
    if (result.errors.length > 0) throw new Error(`esbuild failed on ${spec.entry} with ${result.errors.length} error(s)`);
    paths[name] = outfile;
  }
  return paths;
}

function packageOptions(spec: BundleSpec): BuildOptions {
  if (!spec.bundleJsPackages) return { packages: 'external' };
  // esbuild treats a package name in `external` as covering its subpaths too (zstd-napi/binding.js).
  return { external: [...nativeAddonPackages(), ...UNUSED_AT_RUN_TIME], banner: { js: REQUIRE_BANNER } };
}

/** Installed packages (top level of node_modules) that are native addons, by name. */
function nativeAddonPackages(): string[] {
  const root = path.join(REPO_ROOT, 'node_modules');
  const names: string[] = [];
  for (const entry of readdirSync(root)) {
    const scoped = entry.startsWith('@') ? readdirSync(path.join(root, entry)).map((name) => `${entry}/${name}`) : [entry];
    for (const name of scoped) {
      if (existsSync(path.join(root, name, 'package.json')) && isNativeAddon(path.join(root, name))) names.push(name);
    }
  }
  return names;
}

/** A package with a native binary: napi-rs (`napi`), node-gyp (`gypfile`, binding.gyp). */
function isNativeAddon(dir: string): boolean {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { napi?: unknown; gypfile?: unknown };
  return manifest.napi !== undefined || manifest.gypfile === true || existsSync(path.join(dir, 'binding.gyp'));
}

function outDirArgument(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--outdir');
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined) throw new Error('--outdir needs a directory');
  return path.resolve(value);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const built = buildBundles(outDirArgument(process.argv.slice(2)));
  for (const file of Object.values(built)) process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
