import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import katex from 'katex';
import { classificationDerivation } from '../../../../src/engine/derivations/classification';
import { latexText } from '../../../../src/engine/format';

describe('file text in LaTeX', () => {
  it('escapes every character LaTeX treats specially', () => {
    assert.equal(
      latexText('\\rule{40em}{6em} $x$ & #1 ^_%~'),
      '\\textbackslash{}rule\\{40em\\}\\{6em\\} \\$x\\$ \\& \\#1 \\textasciicircum{}\\_\\%\\textasciitilde{}',
    );
  });

  it('a tensor named like a LaTeX command is shown as its name in the worked example, not drawn', () => {
    const where = "tensor '\\rule{40em}{6em}' row 3";
    const derivation = classificationDerivation({
      n: 2,
      k: 2,
      logLikelihood: Math.log(0.9) + Math.log(0.8),
      crossEntropy: -(Math.log(0.9) + Math.log(0.8)) / 2,
      likelihood: { mantissa: 7.2, exponent: -1 },
      underflowRow: undefined,
      example: { row: 3, label: 1, probability: 0.8, loss: -Math.log(0.8), where },
      targetName: 'labels',
      predictionNames: ['\\rule{40em}{6em}'],
    });
    const latex = derivation.steps.map((step) => step.latex).join('\n');
    assert.ok(!latex.includes('\\rule{'), latex);
    // KaTeX renders what the panel would: no rule box, and the name as text.
    const html = derivation.steps.map((step) => katex.renderToString(step.latex, { throwOnError: false, trust: false })).join('');
    assert.ok(!html.includes('class="rule"'), 'no rule is drawn');
    assert.match(html, /rule\{40em\}\{6em\}|rule.*40em/, 'the name is shown as text');
  });
});
