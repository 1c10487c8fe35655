/**
 * A size for people, the way file managers show it: 1024-based with the familiar KB/MB/GB labels,
 * one decimal below 10 ("7.5 KB", "64 MB"). Shared by the server's pages and messages and the browser's
 * upload progress, so one file never shows two different sizes.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
