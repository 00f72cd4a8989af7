/** Wraps a command body so that a failure becomes one clear message (and a log line), never an unhandled rejection. */
export type Guard = <A extends unknown[]>(name: string, body: (...args: A) => Promise<unknown>) => (...args: A) => Promise<void>;
