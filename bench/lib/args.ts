/** Tiny `--flag value` / `--switch` parser shared by the bench entry points. */

export class Args {
  private readonly values = new Map<string, string>();
  private readonly switches = new Set<string>();

  constructor(argv: string[], switches: string[]) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (switches.includes(name)) {
        this.switches.add(name);
      } else if (inline !== undefined) {
        this.values.set(name, inline);
      } else {
        const value = argv[++i];
        if (value === undefined) throw new Error(`--${name} needs a value`);
        this.values.set(name, value);
      }
    }
  }

  flag(name: string): boolean {
    return this.switches.has(name);
  }

  string(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.values.get(name);
  }

  number(name: string, fallback: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${raw}'`);
    return n;
  }

  /** Names given that are not in `known` (to reject typos). */
  unknown(known: string[]): string[] {
    return [...this.values.keys(), ...this.switches].filter((k) => !known.includes(k));
  }
}
