import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
}

/**
 * A uPlot time-series chart that fills its container's width. uPlot draws on a canvas and
 * takes new data without being rebuilt, so a chart refreshed every few seconds costs little.
 * `data` is [x (seconds), ...one array per series].
 */
export function Chart({
  title,
  series,
  data,
  unit,
  height = 180,
}: {
  title: string;
  series: ChartSeries[];
  data: uPlot.AlignedData;
  unit: string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const latest = useRef(data);
  latest.current = data;
  // Built once per set of series; data and size change in place.
  const key = series.map((s) => s.label).join('|');
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt only when the series change (key)
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const axis = { stroke: '#94a3b8', grid: { stroke: '#1e293b' }, ticks: { stroke: '#334155' } };
    const chart = new uPlot(
      {
        width: element.clientWidth,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => `${t} ${unit}`) }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            // uPlot shows the points themselves only while they are sparse (a lone minute).
            points: { size: 6 },
          })),
        ],
      },
      latest.current,
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = undefined;
    };
  }, [key, height, unit]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return (
    <figure className="rounded-xl border border-slate-800 bg-slate-900/60 p-3">
      <figcaption className="mb-2 text-sm font-semibold text-slate-200">{title}</figcaption>
      <div ref={box} className="w-full" />
    </figure>
  );
}
