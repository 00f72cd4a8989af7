/**
 * Waits for messages from a webview: `deliver` each message the panel receives; `next` resolves
 * with the first later one that matches, or rejects after `timeoutMs` naming `what`.
 */
export class MessageWaiter<M> {
  private readonly listeners: Array<(message: M) => void> = [];

  constructor(private readonly what: string) {}

  deliver(message: M): void {
    for (const listener of this.listeners.splice(0)) listener(message);
  }

  next(match: (message: M) => boolean, timeoutMs = 20_000): Promise<M> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.what} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      const listen = () =>
        this.listeners.push((message) => {
          if (!match(message)) return listen();
          clearTimeout(timer);
          resolve(message);
        });
      listen();
    });
  }
}
