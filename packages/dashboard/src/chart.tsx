// A time-series chart (uPlot) that fills its container's width and follows its data.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

/** A line chart of `series` over `t` (epoch seconds), titled `title` (also its accessible name). */
export function Chart({ title, t, series, unit, interval }: { title: string; t: number[]; series: ChartSeries[]; unit: string; interval: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: 180,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : `${round(v)} ${unit}`),
        })),
      ],
      axes: [
        { stroke: '#9aa4b2', grid: { stroke: 'rgba(154,164,178,0.15)' } },
        { stroke: '#9aa4b2', grid: { stroke: 'rgba(154,164,178,0.15)' }, size: 56 },
      ],
      // at least 60 samples wide, so that a few samples do not stretch over years
      scales: { x: { time: true, range: (_u, min, max) => [Math.min(min ?? 0, (max ?? 0) - 60 * interval), (max ?? 0) + interval] } },
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    plot.current = new uPlot(opts, [t, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(240, el.clientWidth), height: 180 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
    // remade when the series change (a group appears), updated in place otherwise
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([t, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [t, series]);

  const empty = t.length === 0;
  return (
    <figure class="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" />
      {empty && <p class="muted chart-empty">No samples yet: the hub closes one every {interval} s.</p>}
    </figure>
  );
}

function round(v: number): string {
  return v >= 100 ? Math.round(v).toString() : v.toFixed(v >= 10 ? 1 : 2);
}
