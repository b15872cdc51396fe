/**
 * A driver for client programs of our own that speak the harness's three subcommands
 * (`create`, `produce`, `consume`; see test/compat/python/confluent_client.py): the Python
 * clients and the Java kafka-clients program.
 */
import { runToolOk } from './process.js';
import { parseRecordLines } from './records.js';
import type { ClientDriver, ScenarioContext } from './scenario.js';

export interface ScriptProgram {
  name: string;
  /** The executable and the arguments before the subcommand. */
  command: () => { command: string; prefixArgs: string[] };
  requireInstalled: () => Promise<void>;
}

export function scriptDriver(program: ScriptProgram): ClientDriver {
  const run = async (ctx: ScenarioContext, subcommand: string, args: string[]): Promise<string> => {
    const { command, prefixArgs } = program.command();
    const result = await runToolOk({
      command,
      args: [...prefixArgs, subcommand, '--bootstrap', ctx.bootstrap, '--topic', ctx.topic, ...args],
      timeoutMs: ctx.toolTimeoutMs,
    });
    return result.stdout;
  };
  return {
    name: program.name,
    requireInstalled: program.requireInstalled,
    createTopic: async (ctx) => {
      await run(ctx, 'create', ['--partitions', String(ctx.partitionCount)]);
    },
    produce: async (ctx) => parseRecordLines(await run(ctx, 'produce', ['--input', ctx.inputPath])),
    consume: async (ctx) => {
      const timeoutS = String(Math.floor(ctx.toolTimeoutMs / 1000) - 15);
      return parseRecordLines(
        await run(ctx, 'consume', ['--group', ctx.group, '--count', String(ctx.recordCount), '--timeout-s', timeoutS]),
      );
    },
  };
}
