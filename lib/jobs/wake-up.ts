// A background loop's sleep that news can cut short: the job runner polls now and then, but starts at
// once when told there is work.

export class WakeUp {
  private cut: (() => void) | null = null;
  /** Set by ring(); the loop clears it before each round, and skips its poll sleep when it was rung meanwhile. */
  rung = false;

  /** Resolves after `ms`, or as soon as ring() is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.cut === done) self.cut = null;
        resolve();
      }
      this.cut = done;
    });
  }

  ring(): void {
    this.rung = true;
    this.cut?.();
  }
}
