// Messages between the flame graph webview and the extension, split by direction.

export type FlameGraphView = 'time-ordered' | 'left-heavy' | 'sandwich';

export type ToFlameGraph = {
  type: 'load';
  /** A file name speedscope uses to detect the format (e.g. `x.speedscope.json`). */
  fileName: string;
  base64: string;
  /** Select this function in the sandwich view once loaded. */
  focusFunction?: string;
};

export type FromFlameGraph = { type: 'ready' } | { type: 'loaded'; focused?: boolean } | { type: 'error'; message: string };
