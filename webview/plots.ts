import uPlot from 'uplot';
import {
  convertNats,
  type InformationUnit,
  headline,
  type Analysis,
  type ClassificationAnalysis,
  type ParameterCurve,
  type RowLossPlots,
} from '../src/protocol/webview';

/** An analysis with a loss per row: every task but a fit. */
export type WithRowPlots = Extract<Analysis, { plots: RowLossPlots }>;
/** An analysis with a running mean of its losses: every task but a fit (a language model's is over tokens). */
type WithRunningMean = Extract<Analysis, { plots: Pick<RowLossPlots, 'runningMean'> }>;
import { h } from './dom';
import { lossUnit } from './format';

/** Colours from the VS Code theme, read when a plot is drawn (and again when the theme changes). */
export function themeColours() {
  const style = getComputedStyle(document.body);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: read('--vscode-foreground', '#333'),
    grid: read('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    primary: read('--vscode-charts-blue', '#3794ff'),
    secondary: read('--vscode-charts-orange', '#d18616'),
    band: read('--vscode-charts-blue', '#3794ff'),
    font: `${read('--vscode-font-size', '13px')} ${read('--vscode-font-family', 'sans-serif')}`,
  };
}

export type Colours = ReturnType<typeof themeColours>;

/** Losses are computed in nats; the plots show them in the unit chosen. */
export function inUnit<T extends number | null>(values: readonly T[], unit: InformationUnit): T[] {
  return values.map((nats) => (nats === null ? nats : (convertNats(nats, unit) as T)));
}

/**
 * A y axis as wide as its widest tick label (uPlot's fixed 50 px cuts "−2,000" or "1.2e-5"); x
 * axes keep their height. uPlot asks again after the ticks change, so this follows the data.
 */
function tickLabelSize(plot: uPlot, values: string[] | null, axisIndex: number, cycle: number): number {
  const axis = plot.axes[axisIndex]!;
  // uPlot keeps the size it settled on; asking twice in a cycle would never converge.
  if (cycle > 1) return (axis as { _size?: number })._size ?? 50;
  const ticks = (axis.ticks as { size?: number } | undefined)?.size ?? 10;
  const gap = axis.gap ?? 5;
  const longest = (values ?? []).reduce((widest, value) => (value.length > widest.length ? value : widest), '');
  plot.ctx.font = (axis.font as unknown as [string])[0] ?? plot.ctx.font;
  const text = longest === '' ? 0 : plot.ctx.measureText(longest).width / (window.devicePixelRatio || 1);
  return Math.ceil(ticks + gap + text + 2);
}

export function axes(colours: Colours, xLabel: string, yLabel: string): uPlot.Axis[] {
  const axis = (label: string, vertical: boolean): uPlot.Axis => ({
    label,
    stroke: colours.foreground,
    font: colours.font,
    labelFont: colours.font,
    grid: { stroke: colours.grid, width: 1 },
    ticks: { stroke: colours.grid, width: 1 },
    ...(vertical ? { size: tickLabelSize } : {}),
  });
  return [axis(xLabel, false), axis(yLabel, true)];
}

export interface PlotHandle {
  readonly element: HTMLElement;
  /** File-name-safe name for saving. */
  readonly name: string;
  /** The plot as a PNG data: URL, drawn on the theme's background. */
  toPng(): string | undefined;
  resize(width: number): void;
  destroy(): void;
}

export function figure(title: string, testId: string, description: string, build: (target: HTMLElement, width: number) => uPlot): PlotHandle {
  const name = testId.replace(/^plot-/, 'likelihood-lens-');
  const canvasHolder = h('div', { class: 'plot-canvas' });
  const element = h('figure', { class: 'plot', 'data-testid': testId, role: 'img', 'aria-label': description }, h('figcaption', {}, title), canvasHolder);
  let plot: uPlot | undefined;
  return {
    element,
    name,
    toPng() {
      const canvas = canvasHolder.querySelector('canvas');
      if (!canvas) return undefined;
      // The plot canvas is transparent; paint the editor background under it so the PNG reads on its own.
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const context = copy.getContext('2d')!;
      context.fillStyle = getComputedStyle(document.body).backgroundColor;
      context.fillRect(0, 0, copy.width, copy.height);
      context.drawImage(canvas, 0, 0);
      return copy.toDataURL('image/png');
    },
    resize(width: number) {
      if (!plot) {
        plot = build(canvasHolder, width);
        // The axis titles (with their units) are drawn on the canvas: say them to screen readers too.
        const titles = plot.axes.map((axis) => axis.label).filter((label): label is string => typeof label === 'string' && label !== '');
        element.setAttribute('aria-description', `Axes: ${titles.join('; ')}`);
        element.setAttribute('data-axis-titles', JSON.stringify(titles));
      } else plot.setSize({ width, height: plot.height });
    },
    destroy() {
      plot?.destroy();
      plot = undefined;
    },
  };
}

export const HEIGHT = 220;

export function perSampleLossPlot(analysis: WithRowPlots, unit: InformationUnit): PlotHandle {
  const { x, y } = analysis.plots.perSampleLoss;
  return figure('Per-sample loss \u2212log q(y\u1d62|x\u1d62)', 'plot-per-sample', `Per-sample loss for ${x.length} plotted rows`, (target, width) => {
    const colours = themeColours();
    return new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: true, y: false } },
        scales: { x: { time: false } },
        axes: axes(colours, 'row', `loss (${lossUnit(unit, 'mean')})`),
        series: [{}, { stroke: colours.primary, width: 0, points: { show: true, size: 3, fill: colours.primary, stroke: colours.primary } }],
      },
      [x, inUnit(y, unit)],
      target,
    );
  });
}

export function runningMeanPlot(analysis: WithRunningMean, unit: InformationUnit, counted = 'rows'): PlotHandle {
  const { n, mean, lower, upper } = analysis.plots.runningMean;
  const final = convertNats(headline(analysis).value, unit);
  return figure('Running mean of the loss as n grows, 95% band, final value', 'plot-running-mean', `Running mean converging to ${final}`, (target, width) => {
    const colours = themeColours();
    return new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: false } },
        axes: axes(colours, `${counted} n`, `mean loss (${lossUnit(unit, 'mean', counted.replace(/s$/, ''))})`),
        series: [
          { label: 'n' },
          { label: 'running mean', stroke: colours.primary, width: 2 },
          { label: 'lower 95%', stroke: colours.band, width: 1, dash: [4, 4] },
          { label: 'upper 95%', stroke: colours.band, width: 1, dash: [4, 4] },
          { label: 'final', stroke: colours.secondary, width: 1 },
        ],
        bands: [{ series: [3, 2], fill: `${colours.band}22` }],
      },
      [n, inUnit(mean, unit), inUnit(lower, unit), inUnit(upper, unit), n.map(() => final)],
      target,
    );
  });
}

/** Bars of a histogram's `counts` over its bin `edges` (one more edge than counts), with `plugins` drawn over them. */
export function histogramChart(
  target: HTMLElement,
  width: number,
  histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] },
  labels: { readonly x: string; readonly y: string },
  plugins: uPlot.Plugin[] = [],
): uPlot {
  const { edges, counts } = histogram;
  const centres = counts.map((_, b) => (edges[b]! + edges[b + 1]!) / 2);
  const colours = themeColours();
  return new uPlot(
    {
      width,
      height: HEIGHT,
      legend: { show: false },
      scales: { x: { time: false } },
      axes: axes(colours, labels.x, labels.y),
      series: [{}, { stroke: colours.primary, fill: `${colours.primary}88`, paths: uPlot.paths.bars!({ size: [1, Infinity], gap: 1 }) }],
      plugins,
    },
    [centres, [...counts]],
    target,
  );
}

export function histogramPlot(analysis: WithRowPlots, unit: InformationUnit): PlotHandle {
  const { counts, infinite } = analysis.plots.histogram;
  const edges = inUnit(analysis.plots.histogram.edges, unit);
  const title = `Histogram of per-sample losses${infinite > 0 ? ` (${infinite} infinite not shown)` : ''}`;
  return figure(title, 'plot-histogram', `${counts.length} bins`, (target, width) =>
    histogramChart(target, width, { edges, counts }, { x: `loss (${lossUnit(unit, 'mean')})`, y: 'rows' }),
  );
}

/** Log-likelihood (left axis) and average NLL (right axis) against a parameter: one peaks where the other bottoms out. */
export function parameterCurvePlot(curve: ParameterCurve, unit: InformationUnit): PlotHandle {
  const logLikelihood = inUnit(curve.logLikelihood, unit);
  const marker = curve.x.map((_, i) => (i === curve.maxIndex ? logLikelihood[i]! : null));
  return figure(curve.title, `plot-curve-${curve.id}`, curve.note, (target, width) => {
    const colours = themeColours();
    const [xAxis, yAxis] = axes(colours, curve.parameter, `log L (${lossUnit(unit, 'sum')})`);
    const nllAxis: uPlot.Axis = { ...yAxis!, label: `NLL (${lossUnit(unit, 'mean')})`, scale: 'nll', side: 1, grid: { show: false } };
    return new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: false, distr: curve.id === 'temperature' ? 3 : 1 }, nll: {} },
        axes: [xAxis!, yAxis!, nllAxis],
        series: [
          {},
          { label: 'log-likelihood', stroke: colours.primary, width: 2 },
          { label: 'average NLL', stroke: colours.secondary, width: 1.5, dash: [6, 4], scale: 'nll' },
          { label: 'maximum', stroke: colours.foreground, width: 0, points: { show: true, size: 9, fill: colours.foreground, stroke: colours.foreground } },
        ],
      },
      [curve.x as number[], logLikelihood, inUnit(curve.averageNll, unit), marker],
      target,
    );
  });
}

/** Accuracy against confidence per bin, beside the diagonal a calibrated classifier follows. */
export function reliabilityPlot(analysis: { readonly plots: Pick<ClassificationAnalysis['plots'], 'reliability'> }): PlotHandle | undefined {
  const reliability = analysis.plots.reliability;
  if (!reliability) return undefined;
  const centres = reliability.bins.map((bin) => (bin.lower + bin.upper) / 2);
  const title = `Reliability: accuracy against confidence (ECE ${reliability.expectedCalibrationError.toFixed(4)})`;
  return figure(title, 'plot-reliability', title, (target, width) => {
    const colours = themeColours();
    return new uPlot(
      {
        width,
        height: HEIGHT,
        legend: { show: false },
        scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
        axes: axes(colours, 'confidence', 'accuracy'),
        series: [
          {},
          { label: 'accuracy', stroke: colours.primary, fill: `${colours.primary}88`, paths: uPlot.paths.bars!({ size: [0.9, Infinity] }) },
          { label: 'calibrated', stroke: colours.secondary, width: 1, dash: [4, 4] },
        ],
      },
      [centres, reliability.bins.map((bin) => bin.accuracy), centres],
      target,
    );
  });
}
