// The panel's "Copy PyTorch snippet" against what Python printed running it, as copied, from the
// file's folder (test/fixtures/snippets/expected.json, written by test/fixtures/gen/gen_snippets.py).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { pythonSnippet } from '../../../../src/analysis/report/snippets';
import { headline, type Analysis, type AnalysisOptions } from '../../../../src/analysis/results';
import { fixturePath, readJson } from '../../../helpers/fixtures';

interface SnippetCase {
  readonly file: string;
  readonly options: AnalysisOptions;
  readonly labels?: string;
  /** Plain python3, or which stand-in replaced a reader Debian does not package. */
  readonly runner: string;
  readonly snippet: string;
  readonly printed: number[];
}

const { cases } = readJson<{ cases: SnippetCase[] }>(fixturePath('snippets', 'expected.json'));
const TOLERANCE = 1e-9;

const analyses = new Map<SnippetCase, Promise<Analysis>>();
const analysisOf = (c: SnippetCase) => {
  if (!analyses.has(c))
    analyses.set(
      c,
      analyzeSource({ kind: 'path', path: fixturePath('snippets', c.file), ...(c.labels ? { pairWith: fixturePath('snippets', c.labels) } : {}) }, c.options),
    );
  return analyses.get(c)!;
};

function assertRelative(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE * Math.abs(expected), `${what}: Python printed ${actual}, Likelihood Lens ${expected}`);
}

describe('Python snippets run as copied', () => {
  it('cover every format, task, prediction kind and fitted family', async () => {
    const all = await Promise.all(cases.map(analysisOf));
    const seen = new Set(
      all.flatMap((analysis) => [
        analysis.file.format,
        analysis.task,
        ...('kind' in analysis.roles && analysis.roles.kind ? [analysis.roles.kind] : []),
        ...(analysis.task === 'fit' ? [analysis.summary.dist] : []),
      ]),
    );
    const wanted = [
      'csv',
      'tsv',
      'parquet',
      'npy',
      'npz',
      'safetensors',
      'pt',
      'categorical',
      'binary',
      'soft',
      'regression',
      'fit',
      'entropy',
      'probs',
      'logits',
      'logprobs',
      'bernoulli',
      'categorical',
      'gaussian',
      'poisson',
      'exponential',
    ];
    assert.deepEqual(
      wanted.filter((name) => !seen.has(name)),
      [],
    );
  });

  for (const c of cases) {
    const runner = c.runner === 'python3' ? '' : ` (run by ${c.runner})`;
    it(`${c.file}${c.labels ? ` with ${c.labels}` : ''} ${JSON.stringify(c.options)}${runner}`, async () => {
      const analysis = await analysisOf(c);
      const snippet = pythonSnippet(analysis);
      assert.equal(snippet, c.snippet, 'the snippet is not the one Python ran: run test/fixtures/gen/gen_snippets.py');
      const prints = snippet.split('\n').filter((line) => line.startsWith('print('));
      assert.equal(c.printed.length, prints.length, 'one number per print');
      assertRelative(c.printed[0]!, headline(analysis).value, 'the first print, against the headline');
      prints.forEach((line, index) => {
        const shown = / {2}# .*Likelihood Lens: (\S+)$/.exec(line);
        assert.ok(shown, `print ${index + 1} names the number Likelihood Lens shows`);
        assertRelative(c.printed[index]!, Number(shown[1]), `print ${index + 1}`);
      });
    });
  }
});
