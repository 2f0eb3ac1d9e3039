/**
 * One ECharts chart on a canvas, in the interface language's locale (the kiosk's tree-shaken ECharts:
 * bars, lines, grid, tooltip, legend, mark lines, canvas renderer, and the Indonesian locale ECharts
 * itself lacks). The chart is an image to assistive technology, labelled with a sentence that says
 * what it shows; the table under the charts holds the same numbers for reading.
 */
import { useEffect, useRef } from 'react';
import { chartLocale, echarts } from '../../../renderer/src/lib/echarts';
import { useLang } from '../i18n';

export type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

export function Chart({
  option,
  label,
  height,
  testId,
  onRendered,
}: {
  option: ChartOption;
  /** What the chart shows, in a sentence (its accessible name). */
  label: string;
  height: number;
  testId: string;
  /** Called once the chart has drawn this option. */
  onRendered?: () => void;
}): React.JSX.Element {
  const lang = useLang((s) => s.lang);
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const rendered = useRef(onRendered);
  rendered.current = onRendered;

  // The locale is fixed when a chart is made: a new language makes a new chart.
  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, null, { locale: chartLocale(lang), renderer: 'canvas' });
    chart.current = c;
    // Redrawn when the box changes size; not on the observer's first report (the size init measured).
    let size = `${el.clientWidth}x${el.clientHeight}`;
    const observer = new ResizeObserver(() => {
      const now = `${el.clientWidth}x${el.clientHeight}`;
      if (now === size) return;
      size = now;
      c.resize();
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [lang]);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    let told = false;
    let fallback: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      if (told) return;
      told = true;
      c.off('finished', done);
      clearTimeout(fallback);
      rendered.current?.();
    };
    c.on('finished', done);
    // Someone who asked their system for less motion gets the chart drawn at once: drawn here and now,
    // not on ECharts' next animation frame (a busy or background tab can starve those for a long time).
    const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;
    c.setOption(still ? { ...option, animation: false } : option, { notMerge: true });
    if (still) c.getZr().flush();
    // An animated chart says so when its animation ends; one that is hovered meanwhile may never
    // "finish", so it counts as drawn once the longest animation (1 s and its delays) is surely over.
    if (still) done();
    else fallback = setTimeout(done, 2500);
    return () => {
      c.off('finished', done);
      clearTimeout(fallback);
    };
  }, [option, lang]);

  return <div ref={ref} className="chart" style={{ height }} role="img" aria-label={label} data-testid={testId} />;
}
