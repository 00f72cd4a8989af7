// Durations as people read them. Pure (the extension's notes and the server's tables share it).

/** 5846 → "5.85 s", 182.4 → "182 ms", 44.5 → "44.5 ms", 0.42 → "0.42 ms". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Two significant digits, for a sentence: 9 → "9 ms", 9.37 → "9.4 ms", 40.2 → "40 ms", 0.423 → "0.42 ms", 1234 → "1.2 s", 0 → "0 ms". */
export function formatMsShort(ms: number): string {
  if (ms >= 1000) return `${roundTo2(ms / 1000)} s`;
  return `${roundTo2(ms)} ms`;
}

function roundTo2(value: number): string {
  if (value >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(2)));
}
