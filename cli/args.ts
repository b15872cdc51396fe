/**
 * A small command-line parser for the `tributary` subcommands. Pure: no I/O.
 *
 * Flags are declared per command (`--name value`, `--name=value`, boolean `--name`, or repeatable
 * list flags such as `--config k=v --config k2=v2`). Unknown flags, missing values and values given
 * to boolean flags are `UsageError`s with a one-line message. Arguments that do not start with
 * `--` are positionals, which only commands that declare them accept. `--` ends flag parsing.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagKind = 'boolean' | 'string' | 'list';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  description: string;
  /** Shown in help: `--topic <topic>`. */
  valueName?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpec[];
  /** Name of the positional arguments in help, when the command takes any. */
  positionals?: string;
}

export class ParsedArgs {
  readonly positionals: string[];
  private readonly values: Map<string, string | true | string[]>;

  constructor(values: Map<string, string | true | string[]>, positionals: string[]) {
    this.values = values;
    this.positionals = positionals;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  requireString(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new UsageError(`Missing required option --${name}`);
    return v;
  }

  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }

  /** An integer flag; throws a UsageError naming the flag when the value is not one. */
  int(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`Option --${name} expects an integer, got '${v}'`);
    return Number(v.trim());
  }
}

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const flags = new Map(spec.flags.map((f) => [f.name, f]));
  const values = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const flag = flags.get(name);
    if (flag === undefined) throw new UsageError(`Unknown option --${name} for '${spec.name}'`);
    if (flag.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`Option --${name} takes no value`);
      values.set(name, true);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`Option --${name} needs a value`);
      value = next;
      i++;
    }
    if (flag.kind === 'list') {
      const prev = values.get(name);
      values.set(name, [...(Array.isArray(prev) ? prev : []), value]);
    } else {
      values.set(name, value);
    }
  }
  if (positionals.length > 0 && spec.positionals === undefined) {
    throw new UsageError(`Unexpected argument '${positionals[0]}' for '${spec.name}'`);
  }
  return new ParsedArgs(values, positionals);
}

/** Help text: summary, usage, then one line per flag. */
export function helpText(spec: CommandSpec): string {
  const label = (f: FlagSpec): string => `--${f.name}${f.kind === 'boolean' ? '' : ` <${f.valueName ?? 'value'}>`}`;
  const width = Math.max(...spec.flags.map((f) => label(f).length), 6) + 2;
  const lines = [spec.summary, '', `Usage: ${spec.usage}`, '', 'Options:'];
  for (const f of spec.flags) lines.push(`  ${label(f).padEnd(width)}${f.description}`);
  return `${lines.join('\n')}\n`;
}

/** Parses `key=value` (the value may contain `=`); `what` names the flag in errors. */
export function parseKeyValue(text: string, what: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`Invalid ${what} '${text}': expected key=value`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1)];
}

/** Parses repeated `key=value` flags into an ordered record; later keys win. */
export function parseKeyValues(texts: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of texts) {
    const [k, v] = parseKeyValue(t, what);
    out[k] = v;
  }
  return out;
}

/** Exactly one of `names` must be present; returns it. */
export function exactlyOne(args: ParsedArgs, names: readonly string[], message: string): string {
  const present = names.filter((n) => args.has(n));
  if (present.length !== 1) throw new UsageError(message);
  return present[0]!;
}
