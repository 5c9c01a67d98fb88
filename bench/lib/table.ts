/** A plain-text table for the terminal and the README (GitHub-flavoured Markdown). */

export type Align = 'l' | 'r';

export function textTable(headers: string[], rows: string[][], align: Align[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number): string => (align[i] === 'r' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** 12345.6 → "12,346"; NaN → "–". */
export function fmtInt(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US');
}

/** A ratio as "1.52×"; NaN → "–". */
export function fmtRatio(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`;
}

/** A share as "87%"; NaN → "–". */
export function fmtPct(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${Math.round(n * 100)}%`;
}

export function fmtMs(n: number | undefined, digits = 2): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(digits)} ms`;
}
