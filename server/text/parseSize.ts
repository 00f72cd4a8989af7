// Sizes as people write them on a command line: 512B, 1KB, 1.5MB, 2GB (binary units, as
// formatBytes shows them: 1 KB = 1,024 bytes). Strict: a unit is required, nothing else may follow. Pure.

const UNITS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };
const SIZE = /^(\d+(?:\.\d+)?)\s?(B|KB|MB|GB)$/i;

/** Bytes (rounded to a whole number), or an Error quoting the text and saying what is expected. */
export function parseSize(text: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw new Error(`${JSON.stringify(text)} is not a size: write a number and a unit, e.g. 512B, 1KB, 1.5MB or 2GB`);
  const bytes = Math.round(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  if (!Number.isSafeInteger(bytes)) throw new Error(`${JSON.stringify(text)} is too large`);
  return bytes;
}
