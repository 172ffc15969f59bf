/** What to tear down if start-up fails part way, in reverse order of start. */
export class UndoStack {
  private readonly steps: (() => Promise<void> | void)[] = [];

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async unwind(): Promise<void> {
    for (const undo of this.steps.reverse()) await Promise.resolve(undo()).catch(() => undefined);
  }
}
