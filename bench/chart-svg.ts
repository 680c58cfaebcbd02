// Hand-written SVG bar charts on a log scale (no dependencies): panels of grouped bars, one group
// per batch size, one bar per series, each bar labelled with its value, a shared legend.

/** One series (an approach): its legend label and colour. */
export interface ChartSeries {
  readonly id: string;
  readonly label: string;
  readonly color: string;
}

/** A panel: groups (sizes) of bars (series values; a missing series leaves a gap). */
export interface ChartPanel {
  readonly title: string;
  readonly groups: readonly { readonly label: string; readonly values: Readonly<Record<string, number>> }[];
}

/** The whole chart. */
export interface ChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly panels: readonly ChartPanel[];
}

const WIDTH = 1000;
const PANEL_HEIGHT = 300;
const LEFT = 90;
const RIGHT = 20;
const TOP = 90;
const PANEL_GAP = 70;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);
}

/** 1234567 -> "1.2M". */
export function shortNumber(value: number): string {
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [scale, unit] of units) {
    if (value >= scale) return `${(value / scale).toPrecision(value / scale >= 100 ? 3 : 2)}${unit}`;
  }
  return value >= 1 ? value.toPrecision(2) : value.toExponential(1);
}

/** Renders `spec` as a standalone SVG document. */
export function renderChart(spec: ChartSpec): string {
  const all = spec.panels
    .flatMap((p) => p.groups.flatMap((g) => Object.values(g.values)))
    .filter((v) => v > 0);
  const minExp = Math.floor(Math.log10(Math.min(...all)));
  const maxExp = Math.ceil(Math.log10(Math.max(...all)) + 0.15);
  const height = TOP + spec.panels.length * (PANEL_HEIGHT + PANEL_GAP) + 10;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="28" font-size="20" font-weight="bold" text-anchor="middle">${escapeXml(spec.title)}</text>`,
  ];
  if (spec.subtitle !== undefined)
    out.push(
      `<text x="${WIDTH / 2}" y="48" font-size="13" fill="#555" text-anchor="middle">${escapeXml(spec.subtitle)}</text>`,
    );
  // legend
  let lx = LEFT;
  for (const s of spec.series) {
    out.push(`<rect x="${lx}" y="60" width="14" height="14" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 19}" y="72" font-size="12">${escapeXml(s.label)}</text>`);
    lx += 36 + s.label.length * 7;
  }
  spec.panels.forEach((panel, p) => {
    const top = TOP + p * (PANEL_HEIGHT + PANEL_GAP) + 20;
    const bottom = top + PANEL_HEIGHT - 30;
    const y = (v: number) => bottom - ((Math.log10(v) - minExp) / (maxExp - minExp)) * (bottom - top);
    out.push(
      `<text x="${LEFT}" y="${top - 8}" font-size="15" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (let e = minExp; e <= maxExp; e++) {
      out.push(
        `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`,
      );
      out.push(
        `<text x="${LEFT - 6}" y="${y(10 ** e) + 4}" font-size="11" text-anchor="end">${shortNumber(10 ** e)}</text>`,
      );
    }
    out.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${top}" y2="${bottom}" stroke="#333"/>`);
    out.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
    const cy = (top + bottom) / 2;
    out.push(
      `<text x="22" y="${cy}" font-size="12" text-anchor="middle" transform="rotate(-90 22 ${cy})">${escapeXml(spec.yLabel)}</text>`,
    );
    const groupWidth = plotWidth / panel.groups.length;
    panel.groups.forEach((group, g) => {
      const present = spec.series.filter((s) => (group.values[s.id] ?? 0) > 0);
      const barWidth = Math.min(70, (groupWidth - 30) / Math.max(1, present.length));
      const x0 = LEFT + g * groupWidth + (groupWidth - barWidth * present.length) / 2;
      present.forEach((s, i) => {
        const value = group.values[s.id];
        const x = x0 + i * barWidth;
        const h = Math.max(1, bottom - y(value));
        out.push(
          `<rect x="${x + 2}" y="${bottom - h}" width="${barWidth - 4}" height="${h}" fill="${s.color}"><title>${escapeXml(`${s.label}, ${group.label}: ${shortNumber(value)}`)}</title></rect>`,
        );
        out.push(
          `<text x="${x + barWidth / 2}" y="${bottom - h - 4}" font-size="10.5" text-anchor="middle">${shortNumber(value)}</text>`,
        );
      });
      out.push(
        `<text x="${LEFT + g * groupWidth + groupWidth / 2}" y="${bottom + 18}" font-size="13" text-anchor="middle">${escapeXml(group.label)}</text>`,
      );
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
