// Messages between the flame graph webview and the extension, split by direction.

export type FlameGraphView = 'time-ordered' | 'left-heavy' | 'sandwich';

/** The run a profile came from, drawn in a bar under the flame graph. */
export interface RunBar {
  /** 'GET /report · 1,234 requests · 123 req/s · p50 7.9 / p95 12.1 / p99 15.3 ms · 0 failed · 10.0 s' */
  figures: string;
  /** The report's headline. */
  headline: string;
  /** Draw it as a warning (most requests failed, the service saturated). */
  warn: boolean;
}

export type ToFlameGraph = {
  type: 'load';
  run?: RunBar;
  /** A file name speedscope uses to detect the format (e.g. `x.speedscope.json`). */
  fileName: string;
  base64: string;
  /** Select this function in the sandwich view once loaded. */
  focusFunction?: string;
};

export type FromFlameGraph = { type: 'ready' } | { type: 'loaded'; focused?: boolean } | { type: 'error'; message: string };
