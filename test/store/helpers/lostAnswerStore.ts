/** A keyv store in memory whose next write is stored but reported failed, as when the answer to it is lost. */
export class LostAnswerStore extends Map<string, unknown> {
  loseNextAnswer = false;

  override set(key: string, value: unknown): this {
    super.set(key, value);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error('the connection ended before the answer came');
    }
    return this;
  }
}
