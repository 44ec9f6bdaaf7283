import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { CommandOutput } from './commandOutput.js';

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type CommandLine<Options extends ParseArgsOptionsConfig> = {
  args: string[];
  options: Options & typeof HELP;
  strict: true;
  allowPositionals: false;
};
export type CommandValues<Options extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<CommandLine<Options>>>['values'];

/**
 * The options of a command that takes no positional arguments and answers --help (-h) with its
 * usage. A number when the command has answered already and ends with that exit code: 0 after
 * the usage asked for, 1 after a line it cannot read, said with the usage.
 */
export function commandOptions<Options extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: Options,
  usage: string,
  output: CommandOutput,
): CommandValues<Options> | number {
  let values: CommandValues<Options>;
  try {
    const line: CommandLine<Options> = { args: [...argv], options: { ...options, ...HELP }, strict: true, allowPositionals: false };
    ({ values } = parseArgs(line));
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${usage}`);
    return 1;
  }
  if ('help' in values && values.help === true) {
    output.out(usage);
    return 0;
  }
  return values;
}
