/** A command line that cannot be run as written: the CLI prints the message and its help, and exits 1. */
export class UsageError extends Error {}
