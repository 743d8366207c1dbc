import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ByteSource } from '../../readers/byteSource';
import { DataFileError } from '../../readers/errors';
import { readJsonLines, type JsonLine } from '../../readers/jsonLines';
import { LossSketch } from '../../engine/lossSketch';
import { LN10 } from '../../engine/logSpace';
import { CompensatedSum } from '../../engine/compensatedSum';
import { countWords, logSoftmax, MeanState, scoreMultipleChoice, utf8Length, WeightedLogLikelihood } from '../../engine/evalLog/metrics';
import { analyzeCategorical } from '../tasks/categorical/analyze';
import type { CategoricalBatch } from '../tasks/categorical/pass';
import type { Analysis, AnalysisOptions, EvalAnalysis, LmEvalChoiceDocument, LmEvalDocument, LmEvalMetric, LmEvalOutputType, LmEvalSummary } from '../results';
import type { StreamOptions } from './streamOptions';
import { meanLossErrorBars } from '../rows/errorBars';

/** Documents listed for a rolling or generation task; their aggregates cover every document. */
export const LM_EVAL_DOCUMENTS_SHOWN = 200;
/** Documents named in a warning. */
const NAMED_DOCUMENTS = 10;
/** A results file larger than this is not read: it is a summary, a few kilobytes. */
const MAX_RESULTS_BYTES = 64 << 20;
/** Question texts kept for the worst documents (more than the sketch shows, for ties). */
const QUESTIONS_KEPT = 40;
const QUESTION_CHARS = 300;
const BATCH_DOCUMENTS = 4096;
/** Multiple-choice documents kept from the start of the file for the document view (the worst ones are kept too). */
export const LM_EVAL_CHOICE_DOCUMENTS_SHOWN = 100;
/** Choices kept per document, and characters per choice: a document may have thousands. */
export const LM_EVAL_CHOICES_SHOWN = 50;
const CHOICE_CHARS = 200;

/** The keys lm-eval 0.4.x writes on every sample line. */
const SAMPLE_KEYS = ['doc_id', 'doc', 'target', 'arguments', 'filtered_resps'] as const;

/** A record looks like an lm-eval sample line. */
export function isLmEvalSample(value: unknown): boolean {
  return isRecord(value) && 'doc_id' in value && 'filtered_resps' in value && 'arguments' in value;
}

/** samples_<task>_<date>.jsonl: the task and the date lm-eval names its files with. */
export function samplesFileName(name: string): { readonly task: string; readonly date?: string } | undefined {
  const match = /^samples_(.+?)(?:_(\d{4}-\d{2}-\d{2}T[\d.-]+))?\.jsonl$/i.exec(name);
  return match ? { task: match[1]!, ...(match[2] ? { date: match[2] } : {}) } : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Sample {
  readonly line: number;
  readonly docId: number;
  readonly record: Record<string, unknown>;
}

function sampleOf(fileName: string, { line, value }: JsonLine): Sample {
  if (!isRecord(value)) throw new DataFileError(fileName, `line ${line}`, 'not a JSON object: an lm-eval sample line is one');
  for (const key of SAMPLE_KEYS) if (!(key in value)) throw new DataFileError(fileName, `line ${line}`, `the sample has no '${key}' key`);
  const docId = value.doc_id;
  if (typeof docId !== 'number' || !Number.isInteger(docId))
    throw new DataFileError(fileName, `line ${line}`, `doc_id ${JSON.stringify(docId)} is not an integer`);
  return { line, docId, record: value };
}

const at = (sample: Sample) => `line ${sample.line} (doc_id ${sample.docId})`;

/** filtered_resps of a multiple-choice sample: [loglikelihood, is_greedy] per choice, each leaf a string. */
function logLikelihoods(fileName: string, sample: Sample): number[] {
  const resps = sample.record.filtered_resps;
  if (!Array.isArray(resps) || resps.length === 0) throw new DataFileError(fileName, at(sample), 'filtered_resps is not a list of [loglikelihood, is_greedy]');
  return resps.map((pair, i) => {
    const ll = Array.isArray(pair) ? Number(pair[0]) : Number.NaN;
    if (!(ll <= 0))
      throw new DataFileError(fileName, at(sample), `filtered_resps[${i}] ${JSON.stringify(pair).slice(0, 80)} is not [loglikelihood <= 0, is_greedy]`);
    return ll;
  });
}

/** The continuations arguments.gen_args_<i>.arg_1, without the default target delimiter " " lm-eval put before each choice. */
function choicesOf(fileName: string, sample: Sample, k: number): string[] {
  const args = sample.record.arguments;
  const choices: string[] = [];
  for (let i = 0; i < k; i++) {
    const arg = isRecord(args) ? args[`gen_args_${i}`] : Array.isArray(args) ? args[i] : undefined;
    const continuation = isRecord(arg) ? arg.arg_1 : Array.isArray(arg) ? arg[1] : undefined;
    if (typeof continuation !== 'string')
      throw new DataFileError(fileName, at(sample), `arguments.gen_args_${i}.arg_1 (the continuation of choice ${i}) is missing`);
    choices.push(continuation.startsWith(' ') ? continuation.slice(1) : continuation);
  }
  return choices;
}

/**
 * The gold of a multiple-choice sample from `target` (str of what doc_to_target gave): digits are
 * an index (lm-eval literal_evals them), "[0, 2]" several, any other text a choice; -100 when it
 * is not among the choices, as check_gold_index_error says.
 */
function goldOf(target: unknown, choices: readonly string[]): number | number[] {
  const text = String(target);
  const index = (value: number) => (Number.isInteger(value) && value >= 0 && value < choices.length ? value : -100);
  if (/^\d+$/.test(text)) return index(Number(text));
  if (/^\[[\d,\s]*\]$/.test(text)) return (JSON.parse(text) as number[]).map(index);
  const found = choices.indexOf(text) === -1 ? choices.indexOf(text.trim()) : choices.indexOf(text);
  return found === -1 ? -100 : found;
}

function questionOf(record: Record<string, unknown>): string | undefined {
  const doc = record.doc;
  if (isRecord(doc)) {
    for (const key of ['question', 'query', 'question_stem', 'goal', 'ctx', 'sentence', 'premise', 'text']) {
      const value = doc[key];
      if (typeof value === 'string' && value.trim() !== '') return value.slice(0, QUESTION_CHARS);
    }
    if (isRecord(doc.question) && typeof doc.question.stem === 'string') return doc.question.stem.slice(0, QUESTION_CHARS);
  }
  return undefined;
}

function outputTypeOf(record: Record<string, unknown>): LmEvalOutputType {
  const resps = record.filtered_resps;
  const stored = (name: string) => Array.isArray(record[name]);
  if (stored('word_perplexity') || stored('byte_perplexity') || stored('bits_per_byte')) return 'loglikelihood_rolling';
  if (Array.isArray(resps) && resps.length > 1 && resps.every((pair) => Array.isArray(pair) && pair.length === 2)) return 'multiple_choice';
  return 'generate_until';
}

/** A per-document metric tracked three ways: recomputed, stored, and where the two differ. */
class MetricTrack {
  readonly recomputed = new MeanState();
  readonly stored = new MeanState();
  differing = 0;
  readonly differingDocuments: number[] = [];
  constructor(readonly name: string) {}
  add(value: number, record: Record<string, unknown>, docId: number): void {
    this.recomputed.add(value);
    const stored = record[this.name];
    if (typeof stored !== 'number') return;
    this.stored.add(stored);
    if (stored !== value) {
      this.differing++;
      if (this.differingDocuments.length < NAMED_DOCUMENTS) this.differingDocuments.push(docId);
    }
  }
}

/** The results file of the same run (results_<date>.json beside the samples), or else the newest one naming the task. */
export async function findResults(
  samplesPath: string,
  task: string,
  date: string | undefined,
): Promise<{ readonly name: string; readonly entries: Record<string, number | string | null> } | undefined> {
  const folder = dirname(samplesPath);
  let names: string[];
  try {
    names = (await readdir(folder))
      .filter((name) => /^results.*\.json$/i.test(name))
      .sort()
      .reverse();
  } catch {
    return undefined;
  }
  if (date) names.sort((a, b) => Number(b.includes(date)) - Number(a.includes(date)));
  for (const name of names) {
    try {
      const path = join(folder, name);
      if ((await stat(path)).size > MAX_RESULTS_BYTES) continue;
      const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
      const entries = isRecord(parsed) && isRecord(parsed.results) ? parsed.results[task] : undefined;
      if (!isRecord(entries)) continue;
      const kept: Record<string, number | string | null> = {};
      for (const [key, value] of Object.entries(entries))
        if (key.includes(',') && (typeof value === 'number' || typeof value === 'string' || value === null)) kept[key] = value;
      return { name, entries: kept };
    } catch {
      // A results file that is not JSON is not this run's: the next one may be.
    }
  }
  return undefined;
}

function metricOf(track: MetricTrack, reported: Record<string, number | string | null> | undefined, filter: string, withStderr = true): LmEvalMetric {
  const stderr = track.recomputed.stderr;
  return {
    name: track.name,
    value: track.recomputed.mean,
    stderr: withStderr && Number.isFinite(stderr) ? stderr : null,
    stored: track.stored.n > 0 ? track.stored.mean : null,
    ...(reported ? { reported: reported[`${track.name},${filter}`] ?? null, reportedStderr: reported[`${track.name}_stderr,${filter}`] ?? null } : {}),
    differing: track.differing,
    differingDocuments: track.differingDocuments,
  };
}

function differingWarnings(metrics: readonly LmEvalMetric[]): string[] {
  return metrics
    .filter((metric) => metric.differing > 0)
    .map(
      (metric) =>
        `${metric.differing} document(s) store a ${metric.name} that differs from the one recomputed from filtered_resps (doc_id ${metric.differingDocuments.join(', ')}${metric.differing > metric.differingDocuments.length ? ', ...' : ''}).`,
    );
}

/**
 * An lm-evaluation-harness samples file (--log_samples): each task's per-document metrics
 * recomputed from the responses as lm-eval computes them, compared with what the file and the
 * run's results file store; a multiple-choice task is also read as a categorical prediction
 * (the softmax of the choices' log-likelihoods) through the cross-entropy engine.
 */
export async function analyzeLmEvalSamples(source: ByteSource, path: string, options: AnalysisOptions, stream: StreamOptions): Promise<Analysis> {
  const fileName = source.name;
  const named = samplesFileName(fileName);
  let first: Sample | undefined;
  for await (const line of readJsonLines(source, { stopAfter: 1 })) first = sampleOf(fileName, line);
  if (!first) throw new DataFileError(fileName, '', 'there are no sample lines');
  const outputType = outputTypeOf(first.record);
  const filter = typeof first.record.filter === 'string' ? first.record.filter : 'none';
  const task = named?.task ?? basename(fileName).replace(/\.jsonl$/i, '');
  const results = await findResults(path, task, named?.date);
  const half = (from: number) => (fraction: number) => stream.onProgress?.(from + fraction / 2);
  const warnings: string[] = [];
  const otherFilters = new Set<string>();
  /** Each line of the file's first filter (lm-eval writes one line per document and filter). */
  async function* samples(onProgress?: (fraction: number) => void): AsyncGenerator<Sample> {
    for await (const line of readJsonLines(source, { ...(onProgress ? { onProgress } : {}), ...(stream.signal ? { signal: stream.signal } : {}) })) {
      const sample = sampleOf(fileName, line);
      const lineFilter = typeof sample.record.filter === 'string' ? sample.record.filter : 'none';
      if (lineFilter !== filter) {
        otherFilters.add(lineFilter);
        continue;
      }
      yield sample;
    }
  }
  const summaryBase = { task, outputType, filter, ...(results ? { resultsFile: results.name, reported: results.entries } : {}) };
  const filterWarning = () =>
    otherFilters.size > 0 ? [`Lines of the filter(s) ${[...otherFilters].join(', ')} are left out: this reads the filter '${filter}' only.`] : [];

  if (outputType === 'multiple_choice') return analyzeMultipleChoice();
  return analyzePerDocument();

  async function analyzeMultipleChoice(): Promise<Analysis> {
    const acc = new MetricTrack('acc');
    const accNorm = new MetricTrack('acc_norm');
    const accBytes = new MetricTrack('acc_bytes');
    let documents = 0;
    let maxChoices = 0;
    let storesBytes = false;
    const noGold: number[] = [];
    let noGoldCount = 0;
    const several: number[] = [];
    let severalCount = 0;
    const storedMetrics = first!.record.metrics;
    const mutualInfo = Array.isArray(storedMetrics) && storedMetrics.includes('acc_mutual_info');
    const readDocument = (sample: Sample) => {
      let lls = logLikelihoods(fileName, sample);
      // acc_mutual_info appends one unconditional request per choice after the normal ones.
      if (mutualInfo && lls.length % 2 === 0) lls = lls.slice(0, lls.length / 2);
      const choices = choicesOf(fileName, sample, lls.length);
      return { lls, choices, gold: goldOf(sample.record.target, choices) };
    };
    const firstDocuments: LmEvalChoiceDocument[] = [];
    const worstDocuments = new Map<number, { loss: number; text: LmEvalChoiceDocument }>();
    let scoredRow = 0;
    for await (const sample of samples(half(0))) {
      const { lls, choices, gold } = readDocument(sample);
      const wanted = firstDocuments.length < LM_EVAL_CHOICE_DOCUMENTS_SHOWN;
      // Rows count the documents with one gold choice, in file order, as the cross-entropy pass numbers them.
      const row = typeof gold === 'number' && gold >= 0 ? scoredRow++ : undefined;
      if (wanted || row !== undefined) {
        const logProbabilities = logSoftmax(lls);
        const document = choiceDocument(sample, lls, logProbabilities, choices, gold, row);
        if (wanted) firstDocuments.push(document);
        if (row !== undefined) keepQuestion(worstDocuments, row, -logProbabilities[gold as number]!, document);
      }
      documents++;
      maxChoices = Math.max(maxChoices, lls.length);
      const golds = Array.isArray(gold) ? gold : [gold];
      const scores = golds.map((g) => scoreMultipleChoice(lls, choices, g));
      // Several golds: right when the prediction is any of them (lm-eval's multiple_target).
      const best = (key: 'acc' | 'accNorm' | 'accBytes') => Math.max(0, ...scores.map((s) => s[key]));
      acc.add(best('acc'), sample.record, sample.docId);
      accNorm.add(best('accNorm'), sample.record, sample.docId);
      if (typeof sample.record.acc_bytes === 'number') storesBytes = true;
      accBytes.add(best('accBytes'), sample.record, sample.docId);
      if (Array.isArray(gold)) {
        if (severalCount++ < NAMED_DOCUMENTS) several.push(sample.docId);
      } else if (gold === -100 && noGoldCount++ < NAMED_DOCUMENTS) noGold.push(sample.docId);
    }
    const metrics = [acc, accNorm, ...(storesBytes ? [accBytes] : [])].map((track) => metricOf(track, results?.entries, filter));
    if (noGoldCount > 0)
      warnings.push(
        `${noGoldCount} document(s) have a target that is not among their choices (doc_id ${noGold.join(', ')}${noGoldCount > noGold.length ? ', ...' : ''}): lm-eval scores them 0; the cross-entropy leaves them out.`,
      );
    if (severalCount > 0)
      warnings.push(
        `${severalCount} document(s) have several gold choices (doc_id ${several.join(', ')}${severalCount > several.length ? ', ...' : ''}): the cross-entropy leaves them out.`,
      );
    warnings.push(...differingWarnings(metrics), ...filterWarning());
    const questions = new Map<number, { loss: number; text: string }>();
    const k = maxChoices;
    let row = 0;
    // Documents with fewer choices than the most are padded with log-probability -inf: a
    // probability 0 that no label points at, so each document's cross-entropy is that of its own K choices.
    async function* batches(): AsyncGenerator<CategoricalBatch> {
      let labels: number[] = [];
      let lines: number[] = [];
      let values = new Float64Array(BATCH_DOCUMENTS * k);
      const flush = (): CategoricalBatch => {
        const batch = { labels, lines, firstRow: row - labels.length, scores: { n: labels.length, k, values: values.subarray(0, labels.length * k) } };
        labels = [];
        lines = [];
        values = new Float64Array(BATCH_DOCUMENTS * k);
        return batch;
      };
      for await (const sample of samples(half(0.5))) {
        const { lls, gold } = readDocument(sample);
        if (Array.isArray(gold) || gold < 0) continue;
        const logProbabilities = logSoftmax(lls);
        const offset = labels.length * k;
        for (let j = 0; j < k; j++) values[offset + j] = j < logProbabilities.length ? logProbabilities[j]! : -Infinity;
        const loss = -logProbabilities[gold]!;
        const text = questionOf(sample.record);
        if (text !== undefined) keepQuestion(questions, row, loss, text);
        labels.push(gold);
        lines.push(sample.line);
        row++;
        if (labels.length === BATCH_DOCUMENTS) yield flush();
      }
      if (labels.length > 0) yield flush();
    }
    const analysis = await analyzeCategorical(
      {
        fileName,
        format: 'lm-eval samples',
        k,
        batches: batches(),
        targetName: 'target',
        predictionNames: Array.from({ length: k }, (_, j) => `log-softmax of choice ${j}`),
        choices: [],
        rolesReason: `lm-evaluation-harness multiple choice: the label is the gold choice, the prediction the softmax of the ${k} choices' log-likelihoods (filtered_resps)`,
        rowName: (r) => `document ${r}`,
      },
      { ...options, kind: 'logprobs' },
    );
    const shown: Record<number, string> = {};
    for (const worst of analysis.plots.worstRows) {
      const question = questions.get(worst.row);
      if (question) shown[worst.row] = question.text;
    }
    const choiceDocuments = [...firstDocuments];
    for (const worst of analysis.plots.worstRows) {
      const document = worstDocuments.get(worst.row)?.text;
      if (document && !choiceDocuments.some((kept) => kept.row === worst.row)) choiceDocuments.push(document);
    }
    const lmEval: LmEvalSummary = { ...summaryBase, documents, metrics, documentList: [], questions: shown, choiceDocuments };
    return { ...analysis, warnings: [...warnings, ...analysis.warnings], lmEval };
  }

  async function analyzePerDocument(): Promise<EvalAnalysis> {
    const rolling = outputType === 'loglikelihood_rolling';
    const words = new WeightedLogLikelihood();
    const bytes = new WeightedLogLikelihood();
    const storedWords = new WeightedLogLikelihood();
    const storedBytes = new WeightedLogLikelihood();
    const differ = new MetricTrack('loglikelihood');
    const logLikelihood = new CompensatedSum();
    const sketch = new LossSketch();
    const stored = new Map<string, MetricTrack>();
    const documentList: LmEvalDocument[] = [];
    let documents = 0;
    for await (const sample of samples(stream.onProgress)) {
      const { record } = sample;
      const values: Record<string, number | string> = {};
      if (rolling) {
        const resps = record.filtered_resps;
        const ll = Array.isArray(resps) ? Number(Array.isArray(resps[0]) ? resps[0][0] : resps[0]) : Number.NaN;
        if (!(ll <= 0)) throw new DataFileError(fileName, at(sample), `filtered_resps ${JSON.stringify(resps).slice(0, 80)} is not [loglikelihood <= 0]`);
        const text = String(record.target);
        const wordCount = countWords(text);
        const byteCount = utf8Length(text);
        words.add(ll, wordCount);
        bytes.add(ll, byteCount);
        logLikelihood.add(ll);
        sketch.add(-ll, documents);
        for (const [name, sums, count] of [
          ['word_perplexity', storedWords, wordCount],
          ['byte_perplexity', storedBytes, byteCount],
        ] as const) {
          const pair = record[name];
          if (Array.isArray(pair) && typeof pair[0] === 'number' && typeof pair[1] === 'number') {
            sums.add(pair[0], pair[1]);
            // The stored pair is (loglikelihood, count): both must be what the response and the target give.
            if (pair[0] !== ll || pair[1] !== count) {
              differ.differing++;
              if (differ.differingDocuments.length < NAMED_DOCUMENTS && !differ.differingDocuments.includes(sample.docId))
                differ.differingDocuments.push(sample.docId);
            }
          }
        }
        values.loglikelihood = ll;
        values.words = wordCount;
        values.bytes = byteCount;
        values.word_perplexity = Math.exp(-ll / wordCount);
        values.byte_perplexity = Math.exp(-ll / byteCount);
        values.bits_per_byte = -ll / byteCount / Math.LN2;
      } else {
        const names = Array.isArray(record.metrics) ? record.metrics.filter((name): name is string => typeof name === 'string') : [];
        for (const name of names) {
          const value = record[name];
          if (typeof value === 'number') {
            let track = stored.get(name);
            if (!track) stored.set(name, (track = new MetricTrack(name)));
            track.add(value, {}, sample.docId);
            values[name] = value;
          } else if (typeof value === 'string') values[name] = value.slice(0, 200);
        }
        const resps = record.filtered_resps;
        if (Array.isArray(resps) && typeof resps[0] === 'string') values.response = resps[0].slice(0, 200);
      }
      if (documentList.length < LM_EVAL_DOCUMENTS_SHOWN) documentList.push({ docId: sample.docId, line: sample.line, values });
      documents++;
    }
    if (documents === 0) throw new DataFileError(fileName, '', 'there are no sample lines');
    const reported = results?.entries;
    const fixed = (name: string, value: number, storedValue: number | null): LmEvalMetric => ({
      name,
      value,
      stderr: null,
      stored: storedValue,
      ...(reported ? { reported: reported[`${name},${filter}`] ?? null, reportedStderr: reported[`${name}_stderr,${filter}`] ?? null } : {}),
      differing: 0,
      differingDocuments: [],
    });
    const hasStored = storedWords.count.value > 0;
    const metrics: LmEvalMetric[] = rolling
      ? [
          fixed('word_perplexity', words.perplexity, hasStored ? storedWords.perplexity : null),
          fixed('byte_perplexity', bytes.perplexity, storedBytes.count.value > 0 ? storedBytes.perplexity : null),
          fixed('bits_per_byte', bytes.bitsPerByte, storedBytes.count.value > 0 ? storedBytes.bitsPerByte : null),
        ]
      : [...stored.values()].map((track) => {
          // Nothing to recompute without the metric's code: the stored values are the recomputation's input.
          const metric = metricOf(track, reported, filter);
          return { ...metric, stored: metric.value };
        });
    if (rolling && differ.differing > 0)
      warnings.push(
        `${differ.differingDocuments.length} document(s) store a [loglikelihood, count] pair that differs from filtered_resps and the target's words or bytes (doc_id ${differ.differingDocuments.join(', ')}).`,
      );
    if (!rolling) warnings.push(`A ${outputType} task: the model generated text, so there is no likelihood; its documents and stored metrics are listed.`);
    warnings.push(...filterWarning());
    const sum = logLikelihood.value;
    const n = documents;
    return {
      file: { name: fileName, format: 'lm-eval samples', rows: n },
      task: 'eval',
      roles: { reason: `lm-evaluation-harness ${outputType} samples of the task ${task}`, columns: [] },
      summary: rolling
        ? {
            n,
            crossEntropy: -sum / n,
            logLikelihood: sum,
            log10Likelihood: sum / LN10,
            crossEntropyStdError: sketch.standardError,
            errorBars: meanLossErrorBars(-sum / n, sketch.standardError),
            hasLikelihood: true,
          }
        : {
            n,
            crossEntropy: Number.NaN,
            logLikelihood: Number.NaN,
            log10Likelihood: Number.NaN,
            crossEntropyStdError: Number.NaN,
            errorBars: {},
            hasLikelihood: false,
          },
      derivations: [],
      warnings,
      plots: {
        perSampleLoss: sketch.perSampleSeries(),
        runningMean: sketch.runningMean(),
        histogram: sketch.histogram(),
        worstRows: sketch.worstRows(),
        parameterCurves: [],
      },
      lmEval: { ...summaryBase, documents, metrics, documentList },
    };
  }
}

/** A multiple-choice document for the document view, its choices and texts bounded. */
function choiceDocument(
  sample: Sample,
  lls: readonly number[],
  logProbabilities: readonly number[],
  choices: readonly string[],
  gold: number | number[],
  row: number | undefined,
): LmEvalChoiceDocument {
  const question = questionOf(sample.record);
  let argmax = 0;
  for (let j = 1; j < lls.length; j++) if (lls[j]! > lls[argmax]!) argmax = j;
  return {
    docId: sample.docId,
    line: sample.line,
    ...(row !== undefined ? { row } : {}),
    ...(question !== undefined ? { question } : {}),
    choices: choices.slice(0, LM_EVAL_CHOICES_SHOWN).map((choice) => choice.slice(0, CHOICE_CHARS)),
    logLikelihoods: lls.slice(0, LM_EVAL_CHOICES_SHOWN),
    probabilities: logProbabilities.slice(0, LM_EVAL_CHOICES_SHOWN).map(Math.exp),
    choiceCount: lls.length,
    gold,
    argmax,
  };
}

/** Keeps the question text (or document) of the documents with the largest losses, at most QUESTIONS_KEPT. */
function keepQuestion<T>(kept: Map<number, { loss: number; text: T }>, row: number, loss: number, text: T): void {
  if (kept.size < QUESTIONS_KEPT) {
    kept.set(row, { loss, text });
    return;
  }
  let smallest: number | undefined;
  for (const [r, entry] of kept) if (smallest === undefined || entry.loss < kept.get(smallest)!.loss) smallest = r;
  if (smallest !== undefined && kept.get(smallest)!.loss < loss) {
    kept.delete(smallest);
    kept.set(row, { loss, text });
  }
}
