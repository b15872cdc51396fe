/**
 * The `tributary` command's dispatch, over injected output streams (`main.ts` wires it to the process):
 * picks the subcommand and turns its outcome into an exit code.
 * Every error ends as one `Error: ...` line on stderr and exit code 1; `--help` works on the
 * command and on each subcommand.
 */
import { UsageError } from './args.js';
import { CliError, errorLine, type CliIo, type Command } from './common.js';
import { runBrokerCommand } from './commands/broker.js';
import { runConsoleConsumer } from './commands/console-consumer.js';
import { runConsoleProducer } from './commands/console-producer.js';
import { runConsumerGroups } from './commands/consumer-groups.js';
import { runTopics } from './commands/topics.js';

const COMMANDS: ReadonlyArray<{ name: string; summary: string; run: Command }> = [
  { name: 'broker', summary: 'Start a broker (broker start [--config FILE] [--override k=v ...]).', run: runBrokerCommand },
  { name: 'topics', summary: 'Create, list, describe, alter and delete topics.', run: runTopics },
  { name: 'console-producer', summary: 'Write stdin lines to a topic.', run: (argv, io) => runConsoleProducer(argv, io) },
  { name: 'console-consumer', summary: 'Print the records of a topic.', run: runConsoleConsumer },
  { name: 'consumer-groups', summary: 'List, describe and reset consumer groups.', run: runConsumerGroups },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = ['Usage: tributary <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  lines.push('', "Run 'tributary <command> --help' for a command's options.");
  return `${lines.join('\n')}\n`;
}

/** Runs one invocation; never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`Error: Unknown command '${name}'. Run 'tributary --help' for the list.\n`);
    return 1;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.err(`Error: ${errorLine(err)}\n`);
    if (err instanceof UsageError) io.err(`Run 'tributary ${name} --help' for usage.\n`);
    else if (!(err instanceof CliError) && process.env['TRIBUTARY_DEBUG'] === '1' && err instanceof Error) io.err(`${err.stack ?? ''}\n`);
    return 1;
  }
}
