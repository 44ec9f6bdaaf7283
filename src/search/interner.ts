/** Strings to dense integer ids, and back: a column of channel ids costs 4 bytes a row, not a string. */
export class Interner {
  private readonly idOf = new Map<string, number>();
  readonly names: string[] = [];
  private lastName: string | undefined;
  private lastId = -1;

  intern(name: string): number {
    if (name === this.lastName) return this.lastId; // bulk loads come channel by channel
    let id = this.idOf.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.idOf.set(name, id);
    }
    this.lastName = name;
    this.lastId = id;
    return id;
  }

  /** The id of a name already seen, or -1. */
  find(name: string): number {
    return this.idOf.get(name) ?? -1;
  }
}
