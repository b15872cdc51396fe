/**
 * What every `tributary` subcommand shares: the output streams, the error type whose message is
 * printed as is, connecting a client from `--bootstrap-server`, and turning any error into the
 * one line the CLI prints.
 */
import { KafkaClient } from '../broker/client/client.js';
import { parseAddress } from '../broker/client/connection.js';
import { userMessage } from '../broker/client/errors.js';
import { UsageError, type ParsedArgs } from './args.js';

/** Where a command writes. Tests pass collectors; `main.ts` passes the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** An operating error whose message is already the line to print. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** A subcommand: parses its own arguments, returns the exit code. */
export type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** `--bootstrap-server h:p[,h:p...]`, validated. */
export function bootstrapServers(args: ParsedArgs): string[] {
  const raw = args.requireString('bootstrap-server');
  const servers = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (servers.length === 0) throw new UsageError('Option --bootstrap-server needs at least one host:port');
  for (const s of servers) {
    try {
      parseAddress(s);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  }
  return servers;
}

/** A connected client; the caller closes it. */
export async function connectClient(args: ParsedArgs, clientId: string): Promise<KafkaClient> {
  const client = new KafkaClient({ bootstrapServers: bootstrapServers(args), clientId });
  try {
    await client.connect();
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(args: ParsedArgs, clientId: string, fn: (client: KafkaClient) => Promise<T>): Promise<T> {
  const client = await connectClient(args, clientId);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** The single line printed for an error (without the `Error: ` prefix). */
export function errorLine(e: unknown): string {
  return userMessage(e).replace(/\s*\n\s*/g, ' ');
}
