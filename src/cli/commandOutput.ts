/** Where a command-line command writes: lines for the person running it (out) and problems (err). Tests capture them. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** stdout and stderr, a line at a time. */
export const consoleOutput: CommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
