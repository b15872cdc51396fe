/**
 * A small SVG chart writer for the benchmark reports (no browser, no dependency): horizontal bar
 * panels stacked vertically. Each row has one or more bars (one per series), an optional min-max
 * whisker per bar, and a panel may draw a vertical reference line (ratio 1.0). Pure: returns text.
 */

export interface Bar {
  series: string;
  /** Fixed colour for this series (otherwise taken from the palette). */
  color?: string;
  value: number;
  min?: number;
  max?: number;
}

export interface Row {
  label: string;
  bars: Bar[];
  /** Optional mark drawn on the row (a target ratio). */
  target?: number;
}

export interface Panel {
  title: string;
  unit: string;
  rows: Row[];
  referenceLine?: number;
  /** Upper end of the axis; default the largest value (or whisker) plus 10 %. */
  axisMax?: number;
  /** Logarithmic axis from `axisMin` (for ratios spanning orders of magnitude). */
  log?: { axisMin: number; axisMax: number };
}

const WIDTH = 980;
const LABEL_WIDTH = 420;
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - 90;
const BAR_HEIGHT = 13;
const ROW_GAP = 8;
const PANEL_HEADER = 44;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return Math.round(v).toString();
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * exp >= v) return m * exp;
  return 10 * exp;
}

function ticks(panel: Panel, axisMin: number, axisMax: number): number[] {
  if (panel.log === undefined) return [0, 1, 2, 3, 4, 5].map((i) => (axisMax * i) / 5);
  const out: number[] = [];
  for (let decade = Math.pow(10, Math.floor(Math.log10(axisMin))); decade <= axisMax; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = m * decade;
      if (v >= axisMin * 0.999 && v <= axisMax * 1.001) out.push(v);
    }
  }
  return out;
}

function panelHeight(panel: Panel): number {
  const rowsHeight = panel.rows.reduce((h, r) => h + Math.max(1, r.bars.length) * BAR_HEIGHT + ROW_GAP, 0);
  return PANEL_HEADER + rowsHeight + 30;
}

function renderPanel(panel: Panel, top: number, seriesColor: Map<string, string>): string {
  const parts: string[] = [];
  const values = panel.rows.flatMap((r) => r.bars.flatMap((b) => [b.value, b.max ?? b.value]).concat(r.target ?? 0));
  const axisMax = panel.log?.axisMax ?? panel.axisMax ?? niceMax(Math.max(...values.filter((v) => Number.isFinite(v)), panel.referenceLine ?? 0) * 1.1);
  const axisMin = panel.log?.axisMin ?? 0;
  const position = (v: number): number => {
    if (panel.log === undefined) return Math.max(0, Math.min(v, axisMax)) / axisMax;
    const clamped = Math.max(axisMin, Math.min(v, axisMax));
    return Math.log(clamped / axisMin) / Math.log(axisMax / axisMin);
  };
  const x = (v: number): number => LABEL_WIDTH + position(v) * PLOT_WIDTH;
  parts.push(`<text x="10" y="${top + 20}" font-size="15" font-weight="bold">${esc(panel.title)}</text>`);
  let y = top + PANEL_HEADER;
  const plotTop = y;
  for (const row of panel.rows) {
    const rowHeight = Math.max(1, row.bars.length) * BAR_HEIGHT;
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + rowHeight / 2 + 4}" font-size="10.5" text-anchor="end">${esc(row.label)}</text>`);
    row.bars.forEach((bar, i) => {
      const by = y + i * BAR_HEIGHT;
      const color = seriesColor.get(bar.series) ?? PALETTE[seriesColor.size % PALETTE.length]!;
      seriesColor.set(bar.series, color);
      const w = Number.isFinite(bar.value) ? x(bar.value) - LABEL_WIDTH : 0;
      parts.push(`<rect x="${LABEL_WIDTH}" y="${by + 1}" width="${w.toFixed(1)}" height="${BAR_HEIGHT - 2}" fill="${color}"><title>${esc(`${bar.series}: ${fmtValue(bar.value)} ${panel.unit}`)}</title></rect>`);
      if (bar.min !== undefined && bar.max !== undefined && Number.isFinite(bar.min) && Number.isFinite(bar.max)) {
        const cy = by + BAR_HEIGHT / 2;
        parts.push(`<line x1="${x(bar.min).toFixed(1)}" x2="${x(bar.max).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#222" stroke-width="1.2"/>`);
        parts.push(`<line x1="${x(bar.min).toFixed(1)}" x2="${x(bar.min).toFixed(1)}" y1="${cy - 3}" y2="${cy + 3}" stroke="#222"/>`);
        parts.push(`<line x1="${x(bar.max).toFixed(1)}" x2="${x(bar.max).toFixed(1)}" y1="${cy - 3}" y2="${cy + 3}" stroke="#222"/>`);
      }
      const labelX = Math.max(x(bar.value), bar.max !== undefined && Number.isFinite(bar.max) ? x(bar.max) : 0) + 4;
      parts.push(`<text x="${labelX.toFixed(1)}" y="${by + BAR_HEIGHT - 3}" font-size="10">${fmtValue(bar.value)}</text>`);
    });
    if (row.target !== undefined) {
      const tx = x(row.target);
      parts.push(`<path d="M${tx.toFixed(1)} ${y - 2} l-4 -5 h8 z" fill="#c00"><title>target ${fmtValue(row.target)}</title></path>`);
    }
    y += rowHeight + ROW_GAP;
  }
  // Axis ticks (5 linear steps, or 1-2-5 steps on a log axis), and the reference line.
  for (const v of ticks(panel, axisMin, axisMax)) {
    const tx = x(v);
    parts.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${plotTop - 4}" y2="${y}" stroke="#ddd" stroke-width="0.8"/>`);
    parts.push(`<text x="${tx.toFixed(1)}" y="${y + 14}" font-size="10" text-anchor="middle">${fmtValue(v)}</text>`);
  }
  parts.push(`<text x="${LABEL_WIDTH + PLOT_WIDTH}" y="${y + 27}" font-size="10" text-anchor="end">${esc(panel.unit)}</text>`);
  if (panel.referenceLine !== undefined) {
    const rx = x(panel.referenceLine);
    parts.push(`<line x1="${rx.toFixed(1)}" x2="${rx.toFixed(1)}" y1="${plotTop - 6}" y2="${y}" stroke="#c00" stroke-dasharray="4 3"/>`);
  }
  return parts.join('\n');
}

/** The whole chart: panels stacked, a legend of series colours at the top. */
export function renderChart(title: string, subtitle: string, panels: Panel[]): string {
  const seriesColor = new Map<string, string>();
  for (const b of panels.flatMap((p) => p.rows.flatMap((r) => r.bars))) {
    if (!seriesColor.has(b.series)) seriesColor.set(b.series, b.color ?? PALETTE[seriesColor.size % PALETTE.length]!);
  }
  let top = 70;
  const body: string[] = [];
  for (const panel of panels) {
    body.push(renderPanel(panel, top, seriesColor));
    top += panelHeight(panel);
  }
  const legend = [...seriesColor].map(([s, c], i) =>
    `<rect x="${10 + i * 190}" y="48" width="12" height="12" fill="${c}"/><text x="${26 + i * 190}" y="58" font-size="12">${esc(s)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top + 10}" viewBox="0 0 ${WIDTH} ${top + 10}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="18" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="40" font-size="11" fill="#555">${esc(subtitle)}</text>`,
    ...legend,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
