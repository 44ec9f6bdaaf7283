/**
 * A journal write reported failed may have been stored all the same: the connection ended
 * after the server stored it, or the answer came after the operation's time limit. Trying
 * again then finds the slot taken, which would otherwise look like another writer. Each
 * journal remembers its last such write, and takes the slot as its own when it holds exactly that.
 */
export interface UnconfirmedWrite {
  seq: number;
  /** The value as JSON, as it reads back. */
  json: string;
}

export function unconfirmedWrite(seq: number, value: unknown): UnconfirmedWrite {
  return { seq, json: JSON.stringify(value) };
}

/** Whether the entry found at `seq` is the write this process last tried there without hearing that it was stored. */
export function isOwnUnconfirmedWrite(unconfirmed: UnconfirmedWrite | null, seq: number, existing: unknown): boolean {
  return unconfirmed !== null && unconfirmed.seq === seq && JSON.stringify(existing) === unconfirmed.json;
}
