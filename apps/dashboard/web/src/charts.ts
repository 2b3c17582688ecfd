import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * uPlot charts of the pages. Every chart drawn is kept in `window.vigilCharts` by name
 * (for the browser console and the Chromium tests, which compare a marker's position with
 * uPlot's own `valToPos`).
 */

declare global {
  interface Window {
    vigilCharts: Map<string, uPlot>;
  }
}
window.vigilCharts = new Map();

export type Marker = { t: number; kind: 'deployment' | 'alert' | 'critical' | 'incident' | 'retrain' | 'rollback'; label: string };

const MARKER_COLORS: Record<Marker['kind'], string> = {
  deployment: '#4c8dff',
  retrain: '#2bb673',
  rollback: '#b55cff',
  alert: '#f0a500',
  critical: '#e5484d',
  incident: '#b55cff',
};

export const PALETTE = ['#4c8dff', '#e5484d', '#2bb673', '#f0a500', '#b55cff', '#14b8c4'];

/** Vertical lines on the plot (canvas) and a positioned element per marker (hover text, and what the tests find). */
function markersPlugin(markers: Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.lineWidth = 2 * devicePixelRatio;
          for (const m of markers) {
            const x = Math.round(u.valToPos(m.t, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = MARKER_COLORS[m.kind];
            ctx.setLineDash(m.kind === 'deployment' || m.kind === 'retrain' || m.kind === 'rollback' ? [] : [4 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
          u.over.querySelectorAll('.marker').forEach((el) => el.remove());
          for (const m of markers) {
            const left = u.valToPos(m.t, 'x');
            if (left < 0 || left > u.over.clientWidth) continue;
            const el = document.createElement('div');
            el.className = `marker marker-${m.kind}`;
            el.style.left = `${left}px`;
            el.style.background = MARKER_COLORS[m.kind];
            el.dataset.t = String(m.t);
            el.title = m.label;
            u.over.append(el);
          }
        },
      ],
    },
  };
}

export interface LineSeries {
  label: string;
  values: (number | null)[];
  color?: string;
  dash?: number[];
}

export function lineChart(
  name: string,
  target: HTMLElement,
  times: number[],
  series: LineSeries[],
  opts: { markers?: Marker[]; height?: number; yLabel?: string; range?: [number, number] } = {},
): uPlot {
  window.vigilCharts.get(name)?.destroy();
  const width = Math.max(320, target.clientWidth || 800);
  const chart = new uPlot(
    {
      width,
      height: opts.height ?? 240,
      scales: { x: { time: true }, y: opts.range ? { range: opts.range } : {} },
      axes: [
        { stroke: '#9aa4b2', grid: { stroke: '#2a3140' } },
        { stroke: '#9aa4b2', grid: { stroke: '#2a3140' }, label: opts.yLabel },
      ],
      // uPlot's default points: drawn where a series is sparse (a version seen in one bucket), hidden where it is dense.
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? PALETTE[i % PALETTE.length], width: 2, dash: s.dash, spanGaps: false }))],
      plugins: opts.markers ? [markersPlugin(opts.markers)] : [],
      legend: { show: true },
    },
    [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
    target,
  );
  window.vigilCharts.set(name, chart);
  return chart;
}

/** A sparkline: one series, no axes, legend or cursor. */
export function sparkline(name: string, target: HTMLElement, points: [number, number][], color: string): uPlot {
  window.vigilCharts.get(name)?.destroy();
  const chart = new uPlot(
    {
      width: 140,
      height: 32,
      scales: { x: { time: true } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: color, width: 1.5, points: { show: false } }],
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    },
    [points.map((p) => p[0]), points.map((p) => p[1])],
    target,
  );
  window.vigilCharts.set(name, chart);
  return chart;
}

/** Forgets the charts of the page being left. */
export function destroyCharts(): void {
  for (const chart of window.vigilCharts.values()) chart.destroy();
  window.vigilCharts.clear();
}
