/**
 * A size for people, the way file managers show it: 1024-based with the familiar KB/MB/GB labels,
 * one decimal below 10 ("7.5 KB", "64 MB"). Shared by the server's pages and messages and the browser's
 * upload progress, so one file never shows two different sizes. The number follows the language
 * ("7,5 KB" in German); digits are not grouped, so English stays "1024 PB" as it always was.
 */
const formats = new Map<string, { one: Intl.NumberFormat; none: Intl.NumberFormat }>();
function numberFormats(locale: string): { one: Intl.NumberFormat; none: Intl.NumberFormat } {
  let f = formats.get(locale);
  if (!f) {
    const base = { useGrouping: false } as const;
    f = {
      one: new Intl.NumberFormat(locale, { ...base, minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      none: new Intl.NumberFormat(locale, { ...base, maximumFractionDigits: 0 }),
    };
    formats.set(locale, f);
  }
  return f;
}

export function formatBytes(bytes: number, locale = 'en'): string {
  const f = numberFormats(locale);
  if (bytes < 1024) return `${f.none.format(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // Rounded by toFixed and Math.round as before, then only written the language's way: the digits never change.
  return `${value < 10 ? f.one.format(Number(value.toFixed(1))) : f.none.format(Math.round(value))} ${units[unit]}`;
}
