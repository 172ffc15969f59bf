/** Lets a loop sleep until a deadline or until something new happens, whichever comes first. */
export class Wakeup {
  private waiter: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.waiter === done) self.waiter = undefined;
        resolve();
      }
      this.waiter?.();
      this.waiter = done;
    });
  }

  notify(): void {
    this.waiter?.();
  }
}
