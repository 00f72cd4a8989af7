// Sizes as people read them, in binary units labelled the usual way (1 MB = 2^20 bytes, as
// process.memoryUsage() figures are usually shown). Pure.

const KB = 2 ** 10;
const MB = 2 ** 20;
const GB = 2 ** 30;

/** 512 → "512 B", 2048 → "2 KB", 47_185_920 → "45 MB", 1.5 × 2^30 → "1.5 GB"; two significant digits below 100. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const size = Math.abs(bytes);
  if (size >= GB) return `${sign}${short(size / GB)} GB`;
  if (size >= MB) return `${sign}${short(size / MB)} MB`;
  if (size >= KB) return `${sign}${short(size / KB)} KB`;
  return `${sign}${Math.round(size)} B`;
}

/** Whole megabytes (one decimal below 10), no unit: for "heap 45/64 MB". */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / MB;
  if (Math.abs(mb) < 10) return String(Math.round(mb * 10) / 10);
  return String(Math.round(mb));
}

function short(value: number): string {
  if (value >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(2)));
}
