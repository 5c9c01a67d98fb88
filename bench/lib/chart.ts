/**
 * A small hand-written SVG: one panel of horizontal bars per scenario, each panel on its own linear scale,
 * every bar labelled with its value. No browser, no dependency.
 */

export interface Bar {
  label: string;
  value: number;
  /** Text after the bar; the value when unset. */
  text?: string;
  color: string;
}

export interface Panel {
  title: string;
  bars: Bar[];
}

export const COLORS = {
  rqts: '#d9480f',
  floor: '#868e96',
  bullmq: '#1c7ed6',
  rq: '#2f9e44',
} as const;

const WIDTH = 760;
const LABEL_W = 270;
const BAR_MAX = 340;
const BAR_H = 16;
const GAP = 5;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function barChart(title: string, subtitle: string, panels: Panel[]): string {
  const parts: string[] = [];
  let y = 24;
  parts.push(`<text x="12" y="${y}" font-size="15" font-weight="600">${esc(title)}</text>`);
  y += 17;
  parts.push(`<text x="12" y="${y}" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  y += 14;
  for (const panel of panels) {
    y += 16;
    parts.push(`<text x="12" y="${y}" font-size="12" font-weight="600">${esc(panel.title)}</text>`);
    y += 6;
    const max = Math.max(...panel.bars.map((b) => (Number.isFinite(b.value) ? b.value : 0)), 1e-9);
    for (const bar of panel.bars) {
      const w = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * BAR_MAX) : 0;
      const mid = y + BAR_H / 2 + 4;
      parts.push(`<text x="${LABEL_W - 8}" y="${mid}" font-size="11" text-anchor="end">${esc(bar.label)}</text>`);
      parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" rx="2" fill="${bar.color}"/>`);
      parts.push(`<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${mid}" font-size="11" fill="#333">${esc(bar.text ?? String(bar.value))}</text>`);
      y += BAR_H + GAP;
    }
  }
  y += 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" ${FONT}>`,
    `<rect width="${WIDTH}" height="${y}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
