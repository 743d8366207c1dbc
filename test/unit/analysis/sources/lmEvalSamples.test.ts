// lm-evaluation-harness samples files written as lm-eval writes them (gen_evallog.py) against
// lm-eval's formulas recomputed independently in NumPy/SciPy/PyTorch (expected.json).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import type { Analysis, ClassificationAnalysis, EvalAnalysis, LmEvalMetric } from '../../../../src/analysis/results';
import { lmEvalFields } from '../../../../src/cli/lmEvalReport';
import { reportFields, textReport } from '../../../../src/cli/report';

/** The CLI's JSON fields (src/cli.ts's toJsonReport spreads these two). */
const toJsonReport = (analysis: Analysis) => ({ n: analysis.summary.n, ...reportFields(analysis, 'mean', (nats) => nats), ...lmEvalFields(analysis) });
import { fixturePath, readJson } from '../../../helpers/fixtures';
import { assertRelative } from '../../engine/engineFixtures';

const expected = readJson(fixturePath('evallog', 'expected.json')) as any;
const path = (name: string) => fixturePath(`evallog/${name}`);
const metric = (metrics: readonly LmEvalMetric[], name: string) => metrics.find((m) => m.name === name)!;
const temp = mkdtempSync(join(tmpdir(), 'lmeval-'));
after(() => rmSync(temp, { recursive: true, force: true }));

describe('lm-eval multiple choice samples', () => {
  it('recomputes acc, acc_norm, acc_bytes and their standard errors as lm-eval does, and names the document whose stored acc differs', async () => {
    const want = expected.multipleChoice;
    const analysis = (await analyzeSource({ kind: 'path', path: path(want.file) })) as ClassificationAnalysis;
    const lm = analysis.lmEval!;
    assert.equal(lm.outputType, 'multiple_choice');
    assert.equal(lm.task, 'arc_easy');
    assert.equal(lm.documents, want.documents);
    for (const name of ['acc', 'acc_norm', 'acc_bytes']) {
      assertRelative(metric(lm.metrics, name).value, want[name], 1e-15, name);
      assertRelative(metric(lm.metrics, name).stderr!, want[`${name}_stderr`], 1e-12, `${name}_stderr`);
    }
    const acc = metric(lm.metrics, 'acc');
    assertRelative(acc.stored!, want.storedAcc, 1e-15, 'stored acc');
    assert.deepEqual(acc.differingDocuments, want.differingAcc);
    assert.equal(metric(lm.metrics, 'acc_norm').differing, 0);
    assert.ok(analysis.warnings.some((w) => w.includes(`doc_id ${want.differingAcc[0]}`) && w.includes('acc')));
    // The results file of the same run, read beside the samples.
    assert.match(lm.resultsFile!, /^results_/);
    assertRelative(acc.reported as number, want.acc, 1e-15, 'reported acc');
  });

  it('runs the softmax of the choices through the categorical engine, padding documents with fewer choices with -inf', async () => {
    const want = expected.multipleChoice;
    const analysis = (await analyzeSource({ kind: 'path', path: path(want.file) })) as ClassificationAnalysis;
    assert.equal(analysis.task, 'categorical');
    assert.equal(analysis.summary.classes, want.classes);
    assert.equal(analysis.summary.n, want.documents);
    assertRelative(analysis.summary.crossEntropy, want.crossEntropy, 1e-13, 'crossEntropy');
    assertRelative(analysis.summary.logLikelihood, want.logLikelihood, 1e-13, 'logLikelihood');
    assertRelative(analysis.summary.accuracy, want.acc, 1e-15, 'accuracy = acc');
    assert.ok(Number.isFinite(analysis.summary.expectedCalibrationError));
    const worst = analysis.plots.worstRows[0]!;
    assert.match(analysis.lmEval!.questions![worst.row]!, /^what is item \d+\?$/);
  });

  it("keeps each document's choices with the probabilities PyTorch's softmax gives, the gold and the argmax, for the document view", async () => {
    const want = expected.multipleChoice;
    const analysis = (await analyzeSource({ kind: 'path', path: path(want.file) })) as ClassificationAnalysis;
    const kept = analysis.lmEval!.choiceDocuments!;
    // 40 documents: all of them are among the first ones kept, in file order, each with one gold, so each has its row.
    assert.deepEqual(
      kept.map((doc) => doc.docId),
      want.perDocument.map((doc: any) => doc.docId),
    );
    kept.forEach((doc, i) => {
      const expectedDoc = want.perDocument[i];
      assert.equal(doc.row, i);
      assert.equal(doc.line, i + 1);
      assert.equal(doc.question, expectedDoc.question);
      assert.deepEqual(doc.choices, expectedDoc.choices);
      assert.deepEqual(doc.logLikelihoods, expectedDoc.logLikelihoods);
      assert.equal(doc.gold, expectedDoc.gold);
      assert.equal(doc.argmax, expectedDoc.argmax);
      assert.equal(doc.choiceCount, expectedDoc.choices.length);
      doc.probabilities.forEach((p, j) => assertRelative(p, expectedDoc.probabilities[j], 1e-13, `doc ${doc.docId} choice ${j}`));
    });
    // Every worst row can be opened.
    for (const worst of analysis.plots.worstRows)
      assert.ok(
        kept.some((doc) => doc.row === worst.row),
        `row ${worst.row}`,
      );
  });

  it('reports under lm-eval names in the CLI JSON and explains them in text', async () => {
    const want = expected.multipleChoice;
    const analysis = await analyzeSource({ kind: 'path', path: path(want.file) });
    const json = toJsonReport(analysis) as any;
    assertRelative(json.acc, want.acc, 1e-15, 'json acc');
    assertRelative(json.acc_norm_stderr, want.acc_norm_stderr, 1e-12, 'json acc_norm_stderr');
    assert.equal(json.documents, want.documents);
    assertRelative(json.crossEntropy, want.crossEntropy, 1e-13, 'json crossEntropy');
    assert.match(textReport(analysis, 'nats'), /acc_norm [^\n]*\n[^\n]*divided by its choice/);
  });

  it('warns naming a document whose target is not among its choices, and leaves it out of the cross-entropy', async () => {
    const analysis = (await analyzeSource({ kind: 'path', path: path('samples_stray_2024.jsonl') })) as ClassificationAnalysis;
    assert.ok(analysis.warnings.some((w) => w.includes('not among their choices') && w.includes(`doc_id ${expected.broken.strayDocId}`)));
    assert.equal(analysis.lmEval!.documents, 4);
    assert.equal(analysis.summary.n, 3);
  });

  it('refuses a corrupt line and a missing key in one line naming the file and line', async () => {
    await assert.rejects(analyzeSource({ kind: 'path', path: path('samples_corrupt_2024.jsonl') }), (error: Error) => {
      assert.match(error.message, /^samples_corrupt_2024\.jsonl: line 3: /);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
    await assert.rejects(
      analyzeSource({ kind: 'path', path: path('samples_missing_2024.jsonl') }),
      /^DataFileError: samples_missing_2024\.jsonl: line 2: the sample has no 'arguments' key$|samples_missing_2024\.jsonl: line 2: the sample has no 'arguments' key/,
    );
  });
});

describe('lm-eval rolling log-likelihood samples', () => {
  it('aggregates word and byte perplexity and bits per byte as lm-eval does, and each document the same', async () => {
    const want = expected.rolling;
    const analysis = (await analyzeSource({ kind: 'path', path: path(want.file) })) as EvalAnalysis;
    assert.equal(analysis.task, 'eval');
    const lm = analysis.lmEval;
    assert.equal(lm.outputType, 'loglikelihood_rolling');
    for (const name of ['word_perplexity', 'byte_perplexity', 'bits_per_byte']) {
      assertRelative(metric(lm.metrics, name).value, want[name], 1e-13, name);
      assertRelative(metric(lm.metrics, name).stored!, want[name], 1e-13, `stored ${name}`);
      lm.documentList.forEach((doc, i) => assertRelative(doc.values[name] as number, want.perDocument[i][name], 1e-13, `${name} of document ${i}`));
    }
    assertRelative(analysis.summary.logLikelihood, want.logLikelihood, 1e-14, 'logLikelihood');
    assert.deepEqual(analysis.warnings, []);
    const json = toJsonReport(analysis) as any;
    assertRelative(json.bits_per_byte, want.bits_per_byte, 1e-13, 'json bits_per_byte');
  });
});

describe('lm-eval generation samples', () => {
  it('lists the documents and their stored metrics and says there is no likelihood', async () => {
    const want = expected.generation;
    const analysis = (await analyzeSource({ kind: 'path', path: path(want.file) })) as EvalAnalysis;
    assert.equal(analysis.summary.hasLikelihood, false);
    assert.equal(analysis.lmEval.documentList.length, want.documents);
    assertRelative(metric(analysis.lmEval.metrics, 'exact_match').value, want.exact_match, 1e-15, 'exact_match');
    assertRelative(metric(analysis.lmEval.metrics, 'exact_match').stderr!, want.exact_match_stderr, 1e-12, 'exact_match stderr');
    assert.ok(analysis.warnings.some((w) => w.includes('no likelihood')));
  });
});

describe('generic JSON Lines', () => {
  it('reads {"label", "logits": [...]} records as the categorical task', async () => {
    const want = expected.generic;
    const analysis = (await analyzeSource({ kind: 'path', path: path(want.file) })) as ClassificationAnalysis;
    assert.equal(analysis.task, 'categorical');
    assert.equal(analysis.summary.n, want.n);
    assertRelative(analysis.summary.crossEntropy, want.crossEntropy, 1e-13, 'crossEntropy');
  });
});

describe('a large samples file', () => {
  it('streams 100k documents with progress', async () => {
    const name = 'samples_big_2024-01-01T00-00-00.000000.jsonl';
    const file = join(temp, name);
    const lines: string[] = [];
    for (let doc = 0; doc < 100_000; doc++) {
      const lls = [-1 - (doc % 7), -2 - (doc % 3), -3];
      const gold = doc % 3;
      lines.push(
        JSON.stringify({
          doc_id: doc,
          doc: { question: `q${doc}` },
          target: String(gold),
          arguments: Object.fromEntries(lls.map((_, i) => [`gen_args_${i}`, { arg_0: 'Q', arg_1: ` c${i}` }])),
          resps: lls.map((ll) => [[String(ll), 'False']]),
          filtered_resps: lls.map((ll) => [String(ll), 'False']),
          filter: 'none',
          metrics: ['acc'],
        }),
      );
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    copyFileSync(path(expected.multipleChoice.file), join(temp, 'unrelated.jsonl'));
    const fractions: number[] = [];
    const analysis = await analyzeSource({ kind: 'path', path: file }, {}, {}, { onProgress: (fraction) => fractions.push(fraction) });
    assert.equal(analysis.lmEval!.documents, 100_000);
    assert.equal(analysis.summary.n, 100_000);
    assert.ok(fractions.length > 2 && fractions.at(-1)! >= 0.99, 'progress reaches the end');
  });
});
