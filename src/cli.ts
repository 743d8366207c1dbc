/**
 * likelihood-lens FILE [--labels FILE] [--task categorical|binary|soft|regression|fit|entropy|lm] [--target NAME[,NAME...]]
 *                 [--pred NAME,NAME,...] [--pred-kind probs|logits|logprobs] [--weights W,W,...] [--ignore-index N]
 *                 [--label-smoothing E] [--dist FAMILY] [--sigma S] [--var COL[,COL...]] [--full] [--eps E]
 *                 [--mask NAME] [--shift | --no-shift] [--tokenizer FILE]
 *                 [--reduction mean|sum|none] [--log-base e|2|10] [--json] [--strict]
 * likelihood-lens A --compare B [options as above] [--json]
 *
 * The headless entry over the same reader and engine as the panel: a reproducible report.
 */
import { once } from 'node:events';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeOnThreads } from './analysis/analyzeOnThreads';
import { scoringThreadsFor } from './analysis/threads/scoringPool';
import type { Analysis, AnalysisOptions } from './analysis/results';
import { FIT_FAMILIES, TASKS, type FitFamily, type Task } from './roles/vocabulary';
import type { PredictionKind } from './engine/categorical';
import type { Reduction } from './engine/reduction';
import { convertNats, type InformationUnit } from './engine/units';
import { describeError } from './readers/errors';
import { pythonSnippet } from './analysis/report/snippets';
import { errorBarFields, reportFields, rowLossLines, textReport } from './cli/report';
import { lmEvalFields } from './cli/lmEvalReport';
import { compareAnalyses } from './analysis/compare';
import { comparisonJson, comparisonText } from './cli/comparisonReport';
import { splitNames } from './cli/nameList';
import { reportJson } from './cli/jsonOutput';

const USAGE = [
  'usage: likelihood-lens FILE [--labels FILE] [--task categorical|binary|soft|regression|fit|entropy|lm] [--target NAME[,NAME...]] [--pred NAME,NAME,...]',
  '         [--pred-kind probs|logits|logprobs] [--weights W,W,...] [--ignore-index N] [--label-smoothing E]',
  '         [--dist bernoulli|categorical|gaussian|poisson|exponential] [--sigma S] [--var COL[,COL...]] [--full] [--eps E]',
  "         [--mask NAME] [--shift | --no-shift] [--tokenizer FILE]   (a language model's logits [B, T, V] and token ids [B, T])",
  '         [--reduction mean|sum|none] [--log-base e|2|10] [--json]',
  '         [--strict]   (a missing value, NaN, null or an empty cell, is an error; without it such rows are left out and counted)',
  '       likelihood-lens A --compare B [options as above] [--json]   (two models on the same rows: A minus B, with 95% intervals)',
  `       A NAME holding a comma is double-quoted, "" for a quote in it: --pred '"a,b",c'`,
].join('\n');
const KINDS = ['probs', 'logits', 'logprobs'];
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];
const LOG_BASES = ['e', '2', '10'] as const;
const UNIT_OF_BASE: Record<(typeof LOG_BASES)[number], InformationUnit> = { e: 'nats', '2': 'bits', '10': 'digits' };

class UsageError extends Error {}

export interface Command {
  readonly file: string;
  readonly labels: string | undefined;
  /** A second file of predictions for the same rows, compared with the first. */
  readonly compare: string | undefined;
  readonly options: AnalysisOptions;
  readonly json: boolean;
  /** Print the panel's Python snippet instead of the report (not in the usage: for the fixtures' generator). */
  readonly snippet: boolean;
  readonly reduction: Reduction;
  readonly unit: InformationUnit;
}

function names(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    return splitNames(text, flag);
  } catch (error) {
    throw new UsageError(describeError(error));
  }
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value !== undefined && !allowed.includes(value as T)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}`);
  return value as T | undefined;
}

function parseCommandLine(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        labels: { type: 'string' },
        compare: { type: 'string' },
        weights: { type: 'string' },
        'ignore-index': { type: 'string' },
        'label-smoothing': { type: 'string' },
        pred: { type: 'string' },
        'pred-kind': { type: 'string' },
        task: { type: 'string' },
        dist: { type: 'string' },
        sigma: { type: 'string' },
        var: { type: 'string' },
        full: { type: 'boolean', default: false },
        eps: { type: 'string' },
        mask: { type: 'string' },
        shift: { type: 'boolean', default: false },
        'no-shift': { type: 'boolean', default: false },
        tokenizer: { type: 'string' },
        reduction: { type: 'string' },
        'log-base': { type: 'string' },
        json: { type: 'boolean', default: false },
        snippet: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(describeError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no FILE given' : `one FILE expected, got ${positionals.length}`);
  const kind = oneOf('--pred-kind', values['pred-kind'], KINDS);
  const task = oneOf<Task>('--task', values.task, TASKS);
  const dist = oneOf<FitFamily>('--dist', values.dist, FIT_FAMILIES);
  const reduction = oneOf('--reduction', values.reduction, REDUCTIONS) ?? 'mean';
  const logBase = oneOf('--log-base', values['log-base'], LOG_BASES) ?? 'e';
  const predictions = names('--pred', values.pred);
  const targets = names('--target', values.target);
  const variance = names('--var', values.var);
  const weight = values.weights?.split(',').map((text) => numberArgument('--weights', text));
  const ignoreIndex = values['ignore-index'] === undefined ? undefined : numberArgument('--ignore-index', values['ignore-index']);
  if (ignoreIndex !== undefined && !Number.isInteger(ignoreIndex)) throw new UsageError('--ignore-index must be an integer');
  const labelSmoothing = values['label-smoothing'] === undefined ? undefined : numberArgument('--label-smoothing', values['label-smoothing']);
  if (labelSmoothing !== undefined && !(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new UsageError('--label-smoothing must be in [0, 1]');
  const sigma = values.sigma === undefined ? undefined : numberArgument('--sigma', values.sigma);
  if (sigma !== undefined && !(sigma > 0)) throw new UsageError('--sigma must be > 0');
  const eps = values.eps === undefined ? undefined : numberArgument('--eps', values.eps);
  if (eps !== undefined && !(eps > 0)) throw new UsageError('--eps must be > 0');
  if (dist !== undefined && task !== undefined && task !== 'fit') throw new UsageError('--dist applies to --task fit');
  if (values.shift && values['no-shift']) throw new UsageError('--shift and --no-shift contradict each other');
  const shift = values.shift ? true : values['no-shift'] ? false : undefined;
  if (values.compare !== undefined) {
    // The comparison is of every row's loss; a reduction would take those away.
    if (values.reduction !== undefined) throw new UsageError('--reduction does not apply to --compare');
    if (values.snippet) throw new UsageError('--snippet does not apply to --compare');
  }
  return {
    file: positionals[0]!,
    labels: values.labels,
    compare: values.compare,
    json: values.json === true,
    snippet: values.snippet === true,
    reduction,
    unit: UNIT_OF_BASE[logBase],
    options: {
      ...(targets?.length === 1 ? { target: targets[0]! } : targets && targets.length > 1 ? { targets } : {}),
      ...(predictions !== undefined ? { predictions } : {}),
      ...(kind !== undefined ? { kind: kind as PredictionKind } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(ignoreIndex !== undefined ? { ignoreIndex } : {}),
      ...(labelSmoothing !== undefined ? { labelSmoothing } : {}),
      ...(task !== undefined ? { task } : {}),
      ...(dist !== undefined ? { dist } : {}),
      ...(sigma !== undefined ? { sigma } : {}),
      ...(variance !== undefined ? { variance } : {}),
      ...(values.full ? { full: true } : {}),
      ...(eps !== undefined ? { eps } : {}),
      ...(values.mask !== undefined ? { mask: values.mask } : {}),
      ...(shift !== undefined ? { shift } : {}),
      ...(values.tokenizer !== undefined ? { tokenizer: values.tokenizer } : {}),
      ...(reduction === 'none' || values.compare !== undefined ? { keepRowLosses: true } : {}),
      ...(values.strict ? { strictMissing: true } : {}),
    },
  };
}

function numberArgument(flag: string, text: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag}: '${text}' is not a number`);
  return value;
}

/** The CLI's JSON: field names that say what they are; losses and log-likelihoods in `unit`. */
export function toJsonReport(analysis: Analysis, reduction: Reduction = 'mean', unit: InformationUnit = 'nats'): Record<string, unknown> {
  return {
    file: analysis.file.name,
    format: analysis.file.format,
    task: analysis.task,
    n: analysis.summary.n,
    unit,
    reduction,
    ...reportFields(analysis, reduction, (nats) => convertNats(nats, unit)),
    ...errorBarFields(analysis, (nats) => convertNats(nats, unit)),
    ...lmEvalFields(analysis),
    identities: analysis.derivations.flatMap((derivation) => derivation.steps.flatMap((step) => (step.check ? [step.check] : []))),
    warnings: analysis.warnings,
  };
}

/** Writes lines a chunk at a time, waiting while the pipe is full; stops quietly once the reader has gone (head, a closed pager). */
async function writeLines(out: NodeJS.WriteStream, lines: Iterable<string>): Promise<void> {
  let gone = false;
  out.on('error', () => (gone = true));
  let chunk = '';
  for (const line of lines) {
    if (gone) return;
    chunk += `${line}\n`;
    if (chunk.length < 1 << 16) continue;
    const flushed = out.write(chunk);
    chunk = '';
    // once() rejects if the pipe fails while full.
    if (!flushed) await once(out, 'drain').catch(() => (gone = true));
  }
  if (!gone && chunk !== '') out.write(chunk);
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
    // dist/scoringThread.js, beside this file once bundled.
    const threads = scoringThreadsFor(join(__dirname, 'scoringThread.js'));
    const analyze = (path: string) =>
      analyzeOnThreads({ kind: 'path', path, ...(command.labels !== undefined ? { pairWith: command.labels } : {}) }, command.options, {}, {}, threads);
    const analysis = await analyze(command.file);
    if (command.compare !== undefined) {
      // Both files with the same options, one after the other: each keeps every row's loss.
      // Named as given: two files may share a name in different folders (npy_a/logits.npy, npy_b/logits.npy).
      const comparison = compareAnalyses(analysis, await analyze(command.compare), {}, { a: command.file, b: command.compare });
      process.stdout.write(command.json ? `${reportJson(comparisonJson(comparison, command.unit))}\n` : `${comparisonText(comparison, command.unit)}\n`);
      return 0;
    }
    if (command.snippet) process.stdout.write(pythonSnippet(analysis));
    else if (command.json) process.stdout.write(`${reportJson(toJsonReport(analysis, command.reduction, command.unit))}\n`);
    else {
      process.stdout.write(`${textReport(analysis, command.unit)}\n`);
      if (command.reduction === 'none') await writeLines(process.stdout, rowLossLines(analysis, command.unit));
    }
    return 0;
  } catch (error) {
    const message = describeError(error);
    // Errors from the file system do not name the file the way reader errors do.
    const named = [command.file, command.compare].some((file) => file !== undefined && message.includes(basename(file)))
      ? message
      : `${command.file}: ${message}`;
    process.stderr.write(`likelihood-lens: ${named}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
