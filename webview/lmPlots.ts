/** A language model's plots: the token loss by position and the spread of the sequences' perplexities. */
import uPlot from 'uplot';
import { unitSymbol, type InformationUnit, type LanguageModelAnalysis } from '../src/protocol/webview';
import { HEIGHT, axes, figure, histogramChart, inUnit, themeColours, type PlotHandle } from './plots';
import { lossUnit } from './format';

const POSITION_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];

/** Mean loss at each position over the sequences scored there: where in the context the model is unsure. */
export function lossByPositionPlot(analysis: LanguageModelAnalysis, unit: InformationUnit): PlotHandle {
  const { position, meanLoss, count } = analysis.plots.lossByPosition;
  // A position no sequence scores (the last one when shifted) has no mean: a gap, not a zero.
  const y = inUnit(
    meanLoss.map((loss, i) => ((count[i] ?? 0) > 0 && Number.isFinite(loss) ? loss : null)),
    unit,
  );
  return figure(
    'Mean token loss by position t',
    'plot-loss-by-position',
    `Mean loss per token, in ${unitSymbol(unit)}, at each of ${position.length} positions`,
    (target, width) => {
      const colours = themeColours();
      const [xAxis, yAxis] = axes(colours, 'position t', `mean loss (${lossUnit(unit, 'mean', 'token')})`);
      return new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: false },
          scales: { x: { time: false } },
          // Positions are whole numbers: ticks 1, 2, 5, 10, ... apart, never 2.5.
          axes: [{ ...xAxis!, incrs: POSITION_STEPS }, yAxis!],
          series: [
            {},
            { stroke: colours.primary, width: 1.5, spanGaps: false, points: { show: true, size: 4, fill: colours.primary, stroke: colours.primary } },
          ],
        },
        [position as number[], y],
        target,
      );
    },
  );
}

/** How many sequences have each perplexity exp(mean NLL of the sequence): the mean of these is Hugging Face's mean_perplexity. */
export function sequencePerplexityPlot(analysis: LanguageModelAnalysis): PlotHandle {
  const { counts, infinite } = analysis.plots.sequencePerplexityHistogram;
  const title = `Histogram of per-sequence perplexity${infinite > 0 ? ` (${infinite} infinite not shown)` : ''}`;
  return figure(title, 'plot-sequence-perplexity', `${counts.length} bins of the perplexity of each sequence`, (target, width) =>
    histogramChart(target, width, analysis.plots.sequencePerplexityHistogram, { x: 'perplexity of a sequence', y: 'sequences' }),
  );
}
