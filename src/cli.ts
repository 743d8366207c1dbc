/**
 * likelihood-lens FILE [--labels FILE] [--target NAME] [--pred NAME,NAME,...] [--pred-kind probs|logits|logprobs]
 *                 [--weights W,W,...] [--ignore-index N] [--label-smoothing E] [--json]
 *
 * The headless entry over the same reader and engine as the panel: a reproducible report.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeSource } from './analysis/analyzeFile';
import type { Analysis, AnalysisOptions } from './analysis/types';
import type { PredictionKind } from './engine/categorical';
import { plainNumber, plainScientific } from './engine/format';
import { describeError } from './readers/errors';

const USAGE =
  'usage: likelihood-lens FILE [--labels FILE] [--target NAME] [--pred NAME,NAME,...] [--pred-kind probs|logits|logprobs] [--weights W,W,...] [--ignore-index N] [--label-smoothing E] [--json]';
const KINDS = ['probs', 'logits', 'logprobs'];

class UsageError extends Error {}

function parseCommandLine(argv: string[]): { file: string; labels: string | undefined; options: AnalysisOptions; json: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        labels: { type: 'string' },
        weights: { type: 'string' },
        'ignore-index': { type: 'string' },
        'label-smoothing': { type: 'string' },
        pred: { type: 'string' },
        'pred-kind': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(describeError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no FILE given' : `one FILE expected, got ${positionals.length}`);
  const kind = values['pred-kind'];
  if (kind !== undefined && !KINDS.includes(kind)) throw new UsageError(`--pred-kind must be one of ${KINDS.join(', ')}`);
  const predictions = values.pred?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const weight = values.weights?.split(',').map((text) => numberArgument('--weights', text));
  const ignoreIndex = values['ignore-index'] === undefined ? undefined : numberArgument('--ignore-index', values['ignore-index']);
  if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) throw new UsageError('--ignore-index must be an integer');
  const labelSmoothing = values['label-smoothing'] === undefined ? undefined : numberArgument('--label-smoothing', values['label-smoothing']);
  if (labelSmoothing !== undefined && !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new UsageError('--label-smoothing must be in [0, 1]');
  return {
    file: positionals[0]!,
    labels: values.labels,
    json: values.json === true,
    options: {
      ...(values.target !== undefined ? { target: values.target } : {}),
      ...(predictions !== undefined ? { predictions } : {}),
      ...(kind !== undefined ? { kind: kind as PredictionKind } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
      ...(labelSmoothing !== undefined ? { labelSmoothing } : {}),
    },
  };
}

function numberArgument(flag: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag}: '${text}' is not a number`);
  return value;
}

/** The CLI's JSON: field names that say what they are, values in nats. */
export function toJsonReport(analysis: Analysis): Record<string, unknown> {
  const { summary, roles } = analysis;
  return {
    file: analysis.file.name,
    format: analysis.file.format,
    task: analysis.task,
    n: summary.n,
    classes: summary.classes,
    target: roles.target,
    predictions: roles.predictions,
    predictionKind: roles.kind,
    predictionKindReason: roles.kindReason,
    crossEntropy: summary.crossEntropy,
    // F.cross_entropy with the options given (weights, label smoothing); equal to crossEntropy without them.
    torchCrossEntropy: summary.torchCrossEntropy,
    ignored: summary.ignored,
    logLikelihood: summary.logLikelihood,
    log10Likelihood: summary.log10Likelihood,
    likelihood: { mantissa: summary.likelihoodMantissa, exponent: summary.likelihoodExponent },
    perplexity: summary.perplexity,
    accuracy: summary.accuracy,
    identities: analysis.derivations.flatMap((derivation) => derivation.steps.flatMap((step) => (step.check ? [step.check] : []))),
    warnings: analysis.warnings,
  };
}

function toText(analysis: Analysis): string {
  const { summary, roles } = analysis;
  const lines = [
    `${analysis.file.name} (${analysis.file.format}, ${summary.n} rows, ${summary.classes} classes)`,
    `  target ${roles.target}; predictions ${roles.predictions.join(', ')} read as ${roles.kind} (${roles.kindReason})`,
    `  cross-entropy     ${plainNumber(summary.crossEntropy, 10)} nats`,
    `  log-likelihood    ${plainNumber(summary.logLikelihood, 10)} nats`,
    `  likelihood        ${plainScientific({ mantissa: summary.likelihoodMantissa, exponent: summary.likelihoodExponent }, 6)} (log10 ${plainNumber(summary.log10Likelihood, 10)})`,
    `  perplexity        ${plainNumber(summary.perplexity, 8)}`,
    `  accuracy          ${plainNumber(summary.accuracy, 6)}`,
    ...analysis.warnings.map((warning) => `  warning: ${warning}`),
  ];
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof UsageError && error.message ? `likelihood-lens: ${error.message}\n` : ''}${USAGE}\n`);
    return 2;
  }
  try {
    const analysis = await analyzeSource({ kind: 'path', path: command.file, ...(command.labels !== undefined ? { pairWith: command.labels } : {}) }, command.options);
    process.stdout.write(`${command.json ? JSON.stringify(toJsonReport(analysis), null, 2) : toText(analysis)}\n`);
    return 0;
  } catch (error) {
    const message = describeError(error);
    // Errors from the file system do not name the file the way reader errors do.
    const named = message.includes(basename(command.file)) ? message : `${command.file}: ${message}`;
    process.stderr.write(`likelihood-lens: ${named}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
