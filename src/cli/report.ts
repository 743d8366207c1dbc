import type { Analysis, CalibrationNoiseFloor, ClassificationAnalysis, ErrorBar, LanguageModelAnalysis } from '../analysis/results';
import { lmEvalLines } from './lmEvalReport';
import { plainNumber, plainScientific } from '../engine/format';
import type { Reduction } from '../engine/reduction';
import { convertNats, unitSymbol, type InformationUnit } from '../engine/units';

/** Class probabilities the text report prints; --json gives them all. */
const SHOWN_PROBABILITIES = 12;

/**
 * A per-row loss reduced as asked: the mean, the sum over rows, or each row's value (when the
 * analysis kept them). `inUnit` converts from nats.
 */
function reduced(mean: number, n: number, rows: readonly number[] | undefined, reduction: Reduction, inUnit: (nats: number) => number): number | number[] {
  if (reduction === 'none' && rows) return rows.map(inUnit);
  return inUnit(reduction === 'sum' ? mean * n : mean);
}

/** Error bars of figures in nats, converted with them; the others (perplexity, accuracy, ECE) have no unit. */
const LOSS_FIGURES: ReadonlySet<string> = new Set(['crossEntropy', 'logLikelihoodPerRow', 'entropy', 'crossEntropyBySequence']);

/** How each error bar's figure is named in the text report. */
const FIGURE_LABELS: Readonly<Record<string, string>> = {
  crossEntropy: 'cross-entropy',
  logLikelihoodPerRow: 'log-likelihood per row',
  crossEntropyBySequence: 'cross-entropy (sequences)',
  entropy: 'mean entropy',
  perplexity: 'perplexity',
  accuracy: 'accuracy',
  expectedCalibrationError: 'ECE',
};

function summaryUncertainty(analysis: Analysis): { errorBars: Readonly<Record<string, ErrorBar>>; noiseFloor?: CalibrationNoiseFloor } {
  const summary = analysis.summary;
  const noiseFloor = 'calibrationNoiseFloor' in summary ? summary.calibrationNoiseFloor : undefined;
  return { errorBars: summary.errorBars, ...(noiseFloor ? { noiseFloor } : {}) };
}

/**
 * Every headline figure's standard error and 95% interval (of the mean per row, whatever the
 * reduction), in `unit` for the losses, with how each was made; and the ECE's noise floor.
 */
export function errorBarFields(analysis: Analysis, inUnit: (nats: number) => number): Record<string, unknown> {
  const { errorBars, noiseFloor } = summaryUncertainty(analysis);
  const converted: Record<string, Omit<ErrorBar, 'standardError' | 'lower' | 'upper'> & Record<'standardError' | 'lower' | 'upper', number | null>> = {};
  for (const [name, bar] of Object.entries(errorBars)) {
    // NaN is an error bar's "none" (a bootstrap's interval has no standard error): null, not a number.
    const convert = (value: number) => (Number.isNaN(value) ? null : LOSS_FIGURES.has(name) ? inUnit(value) : value);
    converted[name] = { standardError: convert(bar.standardError), lower: convert(bar.lower), upper: convert(bar.upper), method: bar.method };
  }
  return { errorBars: converted, ...(noiseFloor ? { calibrationNoiseFloor: noiseFloor } : {}) };
}

/** The error bars as text lines: '± se (95% lower to upper)' and how each was made. */
function errorBarLines(analysis: Analysis, unit: InformationUnit): string[] {
  const { errorBars, noiseFloor } = summaryUncertainty(analysis);
  const u = unitSymbol(unit);
  const lines: string[] = [];
  for (const [name, bar] of Object.entries(errorBars)) {
    const loss = LOSS_FIGURES.has(name);
    const show = (value: number) => plainNumber(loss ? convertNats(value, unit) : value, 4);
    const se = Number.isNaN(bar.standardError) ? '' : `\u00b1 ${show(bar.standardError)}${loss ? ` ${u}` : ''} `;
    lines.push(`  ${(FIGURE_LABELS[name] ?? name).padEnd(26)} ${se}(95% ${show(bar.lower)} to ${show(bar.upper)}): ${bar.method}`);
  }
  if (noiseFloor) lines.push(`  ${'ECE noise floor'.padEnd(26)} ${plainNumber(noiseFloor.value, 4)}: ${noiseFloor.method}`);
  return lines.length > 0 ? ['  error bars', ...lines] : [];
}

/** The prediction columns and how they were read, for the tasks that have them. */
function predictionFields(
  summary: { readonly classes: number },
  roles: { readonly predictions: readonly string[]; readonly kind: string; readonly kindReason: string },
) {
  return { classes: summary.classes, predictions: roles.predictions, predictionKind: roles.kind, predictionKindReason: roles.kindReason };
}

/** The task's fields of the CLI's JSON report. */
export function reportFields(analysis: Analysis, reduction: Reduction, inUnit: (nats: number) => number): Record<string, unknown> {
  const rows = analysis.rowLosses ?? {};
  if (analysis.task === 'entropy') {
    const { summary, roles } = analysis;
    return {
      ...predictionFields(summary, roles),
      entropy: reduced(summary.entropy, summary.n, rows.entropy, reduction, inUnit),
      maxEntropy: inUnit(summary.maxEntropy),
      perplexity: summary.perplexity,
    };
  }
  const likelihood = { logLikelihood: inUnit(analysis.summary.logLikelihood), log10Likelihood: analysis.summary.log10Likelihood };
  switch (analysis.task) {
    case 'lm':
      return languageModelFields(analysis, reduction, inUnit);
    case 'eval':
      return { crossEntropy: inUnit(analysis.summary.crossEntropy), ...likelihood };
    case 'categorical':
    case 'binary': {
      const { summary, roles } = analysis;
      return {
        target: roles.target,
        ...predictionFields(summary, roles),
        // The sum over rows is -log L exactly, not the mean times n.
        crossEntropy: reduction === 'sum' ? inUnit(-summary.logLikelihood) : reduced(summary.crossEntropy, summary.n, rows.crossEntropy, reduction, inUnit),
        // F.cross_entropy with the options given (weights, label smoothing), reduction='mean'; equal to crossEntropy without them.
        torchCrossEntropy: inUnit(summary.torchCrossEntropy),
        ignored: summary.ignored,
        ...likelihood,
        likelihood: { mantissa: summary.likelihoodMantissa, exponent: summary.likelihoodExponent },
        perplexity: summary.perplexity,
        accuracy: summary.accuracy,
        ...(analysis.bySlice ? { bySlice: sliceFields(analysis.bySlice, inUnit) } : {}),
      };
    }
    case 'soft': {
      const { summary, roles } = analysis;
      const n = summary.n;
      return {
        targets: roles.targets,
        ...predictionFields(summary, roles),
        crossEntropy: reduced(summary.crossEntropy, n, rows.crossEntropy, reduction, inUnit),
        entropy: reduced(summary.entropy, n, rows.entropy, reduction, inUnit),
        kl: reduced(summary.kl, n, rows.kl, reduction, inUnit),
        identity: { lhs: inUnit(summary.identity.lhs), rhs: inUnit(summary.identity.rhs), residual: summary.identity.residual, holds: summary.identity.holds },
        ...likelihood,
        perplexity: summary.perplexity,
      };
    }
    case 'regression': {
      const { summary, roles } = analysis;
      const n = summary.n;
      const variance = summary.predictedVariance;
      return {
        outputs: summary.outputs,
        targets: roles.targets,
        predictions: roles.predictions,
        variance: roles.variance,
        // F.mse_loss: the mean over all n k values, or their sum; not in information units.
        mse: reduction === 'sum' ? summary.sumSquaredError : summary.mse,
        sigma: summary.sigma,
        // Per row: -log N(y_i; yhat_i, sigma^2 I) with the constant.
        gaussianNll: reduced(summary.gaussianNll / n, n, rows.gaussianNll, reduction, inUnit),
        ...likelihood,
        sigmaMle: summary.sigmaMle,
        logLikelihoodAtSigmaMle: inUnit(summary.logLikelihoodAtSigmaMle),
        // JSON has no infinity: a perfect fit's +inf log-likelihood is null here, and said so.
        ...(summary.logLikelihoodAtSigmaMle === Infinity ? { perfectFit: true } : {}),
        ...(variance
          ? {
              // F.gaussian_nll_loss(full, eps): 'mean' over the n k values, as PyTorch.
              gaussianNllLoss: reduced(variance.mean, variance.values, rows.gaussianNllLoss, reduction, inUnit),
              full: variance.full,
              eps: variance.eps,
              clamped: variance.clamped,
            }
          : {}),
      };
    }
    case 'fit': {
      const { summary, roles } = analysis;
      return {
        target: roles.target,
        dist: summary.dist,
        distReason: roles.distReason,
        ...summary.estimates,
        ...likelihood,
        // The average NLL: the cross-entropy between the column's empirical distribution and the fit.
        crossEntropy: reduced(summary.crossEntropy, summary.n, rows.nll, reduction, inUnit),
      };
    }
  }
}

/**
 * A language model's fields: the four perplexities under the names their libraries use (the
 * per-byte and per-word ones as lm-evaluation-harness writes them), and which target each
 * position scored. Losses in `unit`; bits stay bits, perplexities have none.
 */
function languageModelFields(analysis: LanguageModelAnalysis, reduction: Reduction, inUnit: (nats: number) => number): Record<string, unknown> {
  const { summary: s, roles } = analysis;
  const perPosition = analysis.rowLosses?.crossEntropy;
  return {
    predictions: roles.predictions,
    predictionKind: roles.predictionKind,
    ...(roles.target ? { target: roles.target } : {}),
    ...(roles.mask ? { mask: roles.mask } : {}),
    shape: roles.shape,
    ...(roles.tokenizer ? { tokenizer: roles.tokenizer } : {}),
    // reduction='none': every position's loss, 0 where nothing is scored, as F.cross_entropy(reduction='none').
    crossEntropy: reduction === 'sum' ? inUnit(-s.logLikelihood) : reduction === 'none' && perPosition ? perPosition.map(inUnit) : inUnit(s.crossEntropy),
    logLikelihood: inUnit(s.logLikelihood),
    log10Likelihood: s.log10Likelihood,
    likelihood: { mantissa: s.likelihoodMantissa, exponent: s.likelihoodExponent },
    tokens: s.tokens,
    sequences: s.sequences,
    perplexity: s.perplexity,
    meanSequencePerplexity: s.meanSequencePerplexity,
    geometricMeanSequencePerplexity: s.geometricMeanSequencePerplexity,
    bitsPerToken: s.bitsPerToken,
    ...(s.bitsPerByte !== undefined ? { bits_per_byte: s.bitsPerByte, byte_perplexity: s.bytePerplexity, word_perplexity: s.wordPerplexity } : {}),
    ...(s.accuracy !== undefined ? { accuracy: s.accuracy } : {}),
    ...(s.meanEntropy !== undefined ? { meanEntropy: inUnit(s.meanEntropy) } : {}),
    ...(s.expectedCalibrationError !== undefined ? { expectedCalibrationError: s.expectedCalibrationError } : {}),
    ...(s.otherAlignmentCrossEntropy !== undefined ? { otherAlignmentCrossEntropy: inUnit(s.otherAlignmentCrossEntropy) } : {}),
    shift: roles.shift,
    shiftReason: roles.shiftReason,
  };
}

/** A language model's figures, each followed by its definition. */
function languageModelLines(analysis: LanguageModelAnalysis, unit: InformationUnit): string[] {
  const { summary: s, roles } = analysis;
  const inUnit = (nats: number) => convertNats(nats, unit);
  const u = unitSymbol(unit);
  const { batch, length, vocabulary } = roles.shape;
  const lines = [
    `${analysis.file.name} (${analysis.file.format}, language model: ${batch} sequence(s) x ${length} positions${vocabulary !== undefined ? `, vocabulary ${vocabulary}` : ''}; ${s.tokens} scored tokens in ${s.sequences} sequence(s))`,
    `  ${roles.predictionKind === 'logits' ? 'logits' : 'per-token log-probabilities'} '${roles.predictions}'${roles.target ? ` against '${roles.target}'` : ''}${roles.mask ? `, mask '${roles.mask}'` : ''}; ${roles.shift ? 'shifted' : 'not shifted'}: ${roles.shiftReason}`,
    ...(roles.tokenizer ? [`  tokenizer ${roles.tokenizer}`] : []),
  ];
  const figure = (label: string, key: string, value: string) => lines.push(`  ${label.padEnd(34)} ${value}`, `  ${''.padEnd(34)} ${s.definitions[key] ?? ''}`);
  figure('cross-entropy', 'crossEntropy', `${plainNumber(inUnit(s.crossEntropy), 10)} ${u} per token`);
  figure(
    'log-likelihood',
    'logLikelihood',
    `${plainNumber(inUnit(s.logLikelihood), 10)} ${u} (likelihood ${plainScientific({ mantissa: s.likelihoodMantissa, exponent: s.likelihoodExponent }, 6)})`,
  );
  figure('perplexity (token)', 'perplexity', plainNumber(s.perplexity, 8));
  figure('mean of sequence perplexities', 'meanSequencePerplexity', plainNumber(s.meanSequencePerplexity, 8));
  figure('geometric mean, per sequence', 'geometricMeanSequencePerplexity', plainNumber(s.geometricMeanSequencePerplexity, 8));
  figure('bits per token', 'bitsPerToken', plainNumber(s.bitsPerToken, 8));
  if (s.bitsPerByte !== undefined) {
    figure('bits per byte', 'bitsPerByte', plainNumber(s.bitsPerByte, 8));
    figure('byte perplexity', 'bytePerplexity', plainNumber(s.bytePerplexity!, 8));
    figure('word perplexity', 'wordPerplexity', plainNumber(s.wordPerplexity!, 8));
  }
  if (s.accuracy !== undefined) figure('top-1 accuracy', 'accuracy', plainNumber(s.accuracy, 6));
  if (s.meanEntropy !== undefined) figure('mean entropy', 'meanEntropy', `${plainNumber(inUnit(s.meanEntropy), 8)} ${u}`);
  if (s.expectedCalibrationError !== undefined) figure('expected calibration error', 'expectedCalibrationError', plainNumber(s.expectedCalibrationError, 6));
  if (s.otherAlignmentCrossEntropy !== undefined)
    figure(
      `cross-entropy ${roles.shift ? 'not shifted' : 'shifted'}`,
      'otherAlignmentCrossEntropy',
      `${plainNumber(inUnit(s.otherAlignmentCrossEntropy), 10)} ${u} per token`,
    );
  return lines;
}

/** The readable report: the task's headline numbers, then the warnings. */
export function textReport(analysis: Analysis, unit: InformationUnit): string {
  const inUnit = (nats: number) => convertNats(nats, unit);
  const format = plainNumber;
  const u = unitSymbol(unit);
  // Wide enough for the longest label, 'binary cross-entropy'.
  const line = (label: string, value: string) => `  ${label.padEnd(20)} ${value}`;
  const lines: string[] = [];
  switch (analysis.task) {
    case 'lm':
      lines.push(...languageModelLines(analysis, unit));
      break;
    case 'entropy': {
      const { roles, summary: s } = analysis;
      lines.push(
        `${analysis.file.name} (${analysis.file.format}, ${s.n} rows, ${s.classes} classes, no labels)`,
        `  predictions ${roles.predictions.join(', ')} read as ${roles.kind} (${roles.kindReason})`,
        line('mean entropy', `${format(inUnit(s.entropy), 10)} ${u} (at most log ${s.classes} = ${format(inUnit(s.maxEntropy), 10)})`),
        line('perplexity', format(s.perplexity, 8)),
      );
      break;
    }
    case 'categorical':
    case 'binary': {
      const { roles, summary: s } = analysis;
      lines.push(
        `${analysis.file.name} (${analysis.file.format}, ${s.n} rows, ${s.classes} classes)`,
        `  target ${roles.target}; predictions ${roles.predictions.join(', ')} read as ${roles.kind} (${roles.kindReason})`,
        line(`${analysis.task === 'binary' ? 'binary ' : ''}cross-entropy`, `${format(inUnit(s.crossEntropy), 10)} ${u}`),
        line('log-likelihood', `${format(inUnit(s.logLikelihood), 10)} ${u}`),
        line(
          'likelihood',
          `${plainScientific({ mantissa: s.likelihoodMantissa, exponent: s.likelihoodExponent }, 6)} (log10 ${format(s.log10Likelihood, 10)})`,
        ),
        line('perplexity', format(s.perplexity, 8)),
        line('accuracy', format(s.accuracy, 6)),
      );
      break;
    }
    case 'soft': {
      const { roles, summary: s } = analysis;
      lines.push(
        `${analysis.file.name} (${analysis.file.format}, ${s.n} rows, soft targets over ${s.classes} classes)`,
        `  targets ${roles.targets.join(', ')}; predictions ${roles.predictions.join(', ')} read as ${roles.kind} (${roles.kindReason})`,
        line('cross-entropy', `${format(inUnit(s.crossEntropy), 10)} ${u}`),
        line('entropy', `${format(inUnit(s.entropy), 10)} ${u}`),
        line('KL divergence', `${format(inUnit(s.kl), 10)} ${u}`),
        line(
          'H = H(p) + KL',
          s.identity.holds
            ? `holds (relative residual ${s.identity.residual.toExponential(1)})`
            : `FAILS (relative residual ${s.identity.residual.toExponential(1)})`,
        ),
      );
      break;
    }
    case 'regression': {
      const { roles, summary: s } = analysis;
      lines.push(
        `${analysis.file.name} (${analysis.file.format}, ${s.n} rows, regression with ${s.outputs} output(s))`,
        `  targets ${roles.targets.join(', ')}; predictions ${roles.predictions.join(', ')}${roles.variance.length ? `; variance ${roles.variance.join(', ')}` : ''}`,
        line('MSE', format(s.mse, 10)),
        line(`Gaussian NLL`, `${format(inUnit(s.gaussianNll), 10)} ${u} at sigma = ${s.sigma} (${format(inUnit(s.crossEntropy), 10)} per row)`),
        line(
          'sigma MLE',
          s.logLikelihoodAtSigmaMle === Infinity
            ? `0: every residual is 0, so the NLL at sigma -> 0 is -inf (log-likelihood +inf)`
            : `${format(s.sigmaMle, 10)} (log-likelihood ${format(inUnit(s.logLikelihoodAtSigmaMle), 10)} ${u})`,
        ),
        ...(s.predictedVariance
          ? [
              line(
                'gaussian_nll_loss',
                `${format(inUnit(s.predictedVariance.mean), 10)} ${u} (full=${s.predictedVariance.full}, eps=${s.predictedVariance.eps})`,
              ),
            ]
          : []),
      );
      break;
    }
    case 'fit': {
      const { roles, summary: s } = analysis;
      // A categorical fit may hold 2^18 classes: the text shows the first few, the JSON all of them.
      const list = (values: number[]) =>
        `[${values
          .slice(0, SHOWN_PROBABILITIES)
          .map((v) => format(v, 8))
          .join(', ')}${values.length > SHOWN_PROBABILITIES ? `, ... (${values.length} classes)` : ''}]`;
      const estimates = Object.entries(s.estimates).map(([name, value]) => `${name} = ${Array.isArray(value) ? list(value) : format(value as number, 10)}`);
      lines.push(
        `${analysis.file.name} (${analysis.file.format}, ${s.n} rows, ${s.dist} fit of ${roles.target})`,
        `  ${s.dist}: ${roles.distReason}`,
        line('estimates', estimates.join(', ')),
        line('average NLL', `${format(inUnit(s.crossEntropy), 10)} ${u}`),
      );
      break;
    }
    case 'eval': {
      const s = analysis.summary;
      lines.push(`${analysis.file.name} (${analysis.file.format}, ${s.n} documents)`);
      if (s.hasLikelihood) lines.push(line('NLL per document', `${format(inUnit(s.crossEntropy), 10)} ${u} (-log-likelihood of each document's text)`));
      break;
    }
  }
  if (analysis.lmEval) lines.push(...lmEvalLines(analysis.lmEval));
  if (analysis.task === 'soft' || analysis.task === 'regression' || analysis.task === 'fit' || (analysis.task === 'eval' && analysis.summary.hasLikelihood)) {
    const { summary } = analysis;
    lines.push(line('log-likelihood', `${format(inUnit(summary.logLikelihood), 10)} ${u} (log10 ${format(summary.log10Likelihood, 10)})`));
  }
  lines.push(...errorBarLines(analysis, unit));
  if ((analysis.task === 'categorical' || analysis.task === 'binary') && analysis.bySlice) lines.push(...sliceLines(analysis.bySlice, unit));
  lines.push(...analysis.warnings.map((warning) => `  warning: ${warning}`));
  return lines.join('\n');
}

/** Each per-row loss the analysis kept, by its name in the JSON report; a predicted variance's losses (one per output) as one column per output. */
function rowLossColumns(analysis: Analysis): { readonly name: string; readonly values: readonly number[]; readonly stride: number; readonly offset: number }[] {
  const rows = analysis.rowLosses;
  if (!rows) return [];
  const column = (name: string, values: readonly number[] | undefined) => (values ? [{ name, values, stride: 1, offset: 0 }] : []);
  switch (analysis.task) {
    case 'categorical':
    case 'binary':
      return column('crossEntropy', rows.crossEntropy);
    case 'soft':
      return [...column('crossEntropy', rows.crossEntropy), ...column('entropy', rows.entropy), ...column('kl', rows.kl)];
    case 'regression': {
      const k = analysis.summary.outputs;
      const perValue = rows.gaussianNllLoss;
      return [
        ...column('gaussianNll', rows.gaussianNll),
        ...(perValue
          ? Array.from({ length: k }, (_, j) => ({ name: k === 1 ? 'gaussianNllLoss' : `gaussianNllLoss[${j}]`, values: perValue, stride: k, offset: j }))
          : []),
      ];
    }
    case 'fit':
      return column('crossEntropy', rows.nll);
    case 'entropy':
      return column('entropy', rows.entropy);
    case 'lm':
      return column('crossEntropy', rows.crossEntropy);
    case 'eval':
      return [];
  }
}

/**
 * reduction='none' as text, after the report: a blank line, a title, a header, then one
 * tab-separated line per row (0-based, as PyTorch indexes them) with each per-row loss in
 * `unit`, every digit kept. Generated, not joined, so a file of any length is written a chunk at a time.
 */
export function* rowLossLines(analysis: Analysis, unit: InformationUnit): Generator<string> {
  const columns = rowLossColumns(analysis);
  if (columns.length === 0) return;
  const n = Math.min(...columns.map((column) => Math.floor(column.values.length / column.stride)));
  yield '';
  yield `per row (reduction='none'), in ${unitSymbol(unit)}:`;
  yield `row\t${columns.map((column) => column.name).join('\t')}`;
  for (let i = 0; i < n; i++) yield `${i}\t${columns.map((column) => String(convertNats(column.values[i * column.stride + column.offset]!, unit))).join('\t')}`;
}

type BySlice = NonNullable<ClassificationAnalysis['bySlice']>;

/** The per-slice table with its losses in the unit asked for. */
function sliceFields(bySlice: BySlice, inUnit: (nats: number) => number): Record<string, unknown> {
  return {
    method: bySlice.method,
    columns: bySlice.columns.map(({ column, slices }) => ({
      column,
      slices: slices.map((slice) => ({
        ...slice,
        crossEntropy: inUnit(slice.crossEntropy),
        crossEntropyStdError: inUnit(slice.crossEntropyStdError),
      })),
    })),
  };
}

/** One table per slice column: value, rows, cross-entropy \u00b1 se, accuracy \u00b1 se. */
function sliceLines(bySlice: BySlice, unit: InformationUnit): string[] {
  const u = unitSymbol(unit);
  const lines = ['  by slice: ' + bySlice.method];
  for (const { column, slices } of bySlice.columns) {
    const width = Math.max(column.length, ...slices.map((slice) => slice.value.length));
    lines.push(`    ${column.padEnd(width)} ${'rows'.padStart(10)}  ${`cross-entropy (${u})`.padEnd(24)} accuracy`);
    for (const slice of slices) {
      const ce = `${plainNumber(convertNats(slice.crossEntropy, unit), 6)} \u00b1 ${plainNumber(convertNats(slice.crossEntropyStdError, unit), 2)}`;
      const acc = `${plainNumber(slice.accuracy, 4)} \u00b1 ${plainNumber(slice.accuracyStdError, 2)}`;
      lines.push(`    ${slice.value.padEnd(width)} ${String(slice.rows).padStart(10)}  ${ce.padEnd(24)} ${acc}`);
    }
  }
  return lines;
}
