// Log lines say what happened and what to do about it. Text by default (people read broker logs
// in a terminal); `TRIBUTARY_LOG_FORMAT=json` switches to one JSON object per line for collectors.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: 'text' | 'json';
  readonly write?: (line: string) => void;
  readonly component?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? parseLevel(process.env['TRIBUTARY_LOG_LEVEL']) ?? 'info';
  const format = options.format ?? (process.env['TRIBUTARY_LOG_FORMAT'] === 'json' ? 'json' : 'text');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const make = (component: string): Logger => {
    const emit = (lvl: LogLevel, message: string, fields?: Record<string, unknown>): void => {
      if (levelRank[lvl] < levelRank[level]) return;
      const time = new Date().toISOString();
      if (format === 'json') {
        write(JSON.stringify({ time, level: lvl, component, message, ...fields }, jsonSafe));
      } else {
        const extra = fields && Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields, jsonSafe) : '';
        write(`${time} ${lvl.toUpperCase().padEnd(5)} [${component}] ${message}${extra}`);
      }
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (name) => make(component ? `${component}.${name}` : name),
    };
  };
  return make(options.component ?? 'tributary');
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

function parseLevel(value: string | undefined): LogLevel | undefined {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : undefined;
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
