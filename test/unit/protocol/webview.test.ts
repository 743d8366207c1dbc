import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostMessage, parsePanelState, parseTensorViewMessage, parseWebviewMessage } from '../../../src/protocol/webview';
import { contentSecurityPolicy, renderWebviewHtml } from '../../../src/panel/webviewHtml';

describe('messages from a webview are validated before the host acts on them', () => {
  it('accepts each message of the protocol', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'revealRow', line: 12 }), { type: 'revealRow', line: 12 });
    assert.deepEqual(parseWebviewMessage({ type: 'setOptions', options: { target: 'y', predictions: ['a', 'b'], kind: 'logits' } }), {
      type: 'setOptions',
      options: { target: 'y', predictions: ['a', 'b'], kind: 'logits' },
    });
    assert.deepEqual(parseWebviewMessage({ type: 'setOptions', options: { task: 'lm', shift: true } }), {
      type: 'setOptions',
      options: { task: 'lm', shift: true },
    });
    assert.deepEqual(parseWebviewMessage({ type: 'copy', what: 'step-latex', stepId: 'identity' }), { type: 'copy', what: 'step-latex', stepId: 'identity' });
    assert.deepEqual(parseWebviewMessage({ type: 'savePlot', name: 'likelihood-lens-histogram', pngDataUrl: 'data:image/png;base64,iVBORw0KGgo=' }), {
      type: 'savePlot',
      name: 'likelihood-lens-histogram',
      pngDataUrl: 'data:image/png;base64,iVBORw0KGgo=',
    });
  });

  const refused: [string, unknown][] = [
    ['not an object', 'ready'],
    ['null', null],
    ['an array', [{ type: 'ready' }]],
    ['an unknown type', { type: 'runCommand', command: 'rm -rf /' }],
    ['a line that is not a positive integer', { type: 'revealRow', line: 0 }],
    ['a fractional line', { type: 'revealRow', line: 2.5 }],
    ['a line as text', { type: 'revealRow', line: '3' }],
    ['options with a kind that does not exist', { type: 'setOptions', options: { kind: 'odds' } }],
    ['predictions that are not strings', { type: 'setOptions', options: { predictions: [1, 2] } }],
    ['a target name too long to be a column', { type: 'setOptions', options: { target: 'x'.repeat(5000) } }],
    ["a language model's shift that is not true or false", { type: 'setOptions', options: { shift: 'yes' } }],
    ['a copy of something unknown', { type: 'copy', what: 'file' }],
    ['a plot name that is a path', { type: 'savePlot', name: '../../.bashrc', pngDataUrl: 'data:image/png;base64,AA==' }],
    ['a plot that is not a PNG', { type: 'savePlot', name: 'plot', pngDataUrl: 'data:text/html;base64,PHNjcmlwdD4=' }],
    ['a PNG data: URL whose bytes are not a PNG', { type: 'savePlot', name: 'plot', pngDataUrl: 'data:image/png;base64,PHNjcmlwdD4=' }],
    ['a PNG data: URL that is not base64', { type: 'savePlot', name: 'plot', pngDataUrl: 'data:image/png;base64,iVBORw0KGgo<script>' }],
    ['a rendered report without its numbers', { type: 'rendered', version: 1 }],
  ];
  for (const [what, message] of refused) {
    it(`refuses ${what}`, () => assert.equal(parseWebviewMessage(message), undefined));
  }

  it('the tensor view may only ask for what its buttons do', () => {
    assert.deepEqual(parseTensorViewMessage({ type: 'openLossPanel' }), { type: 'openLossPanel' });
    assert.deepEqual(
      parseTensorViewMessage({ type: 'openLossPanel', uri: 'file:///etc/passwd' }),
      { type: 'openLossPanel' },
      'extra fields are dropped, never used',
    );
    assert.equal(parseTensorViewMessage({ type: 'open', uri: 'file:///etc/passwd' }), undefined);
  });

  it('a saved panel state must name a file; options are re-validated', () => {
    assert.equal(parsePanelState({ options: {} }), undefined);
    assert.deepEqual(parsePanelState({ fileUri: 'file:///w/a.csv', options: { kind: 'odds' } }), { fileUri: 'file:///w/a.csv', options: {} });
    assert.deepEqual(
      parsePanelState({ fileUri: 'file:///w/a.csv', options: {}, view: { unit: 'bits', sigma: 0.5, temperature: -1, extra: '<script>' } }),
      { fileUri: 'file:///w/a.csv', options: {}, view: { unit: 'bits', sigma: 0.5 } },
      'the view keeps a known unit and positive slider values, nothing else',
    );
  });

  it('the webview refuses malformed host messages too', () => {
    assert.equal(parseHostMessage({ type: 'analysis', version: 1 }), undefined);
    assert.equal(parseHostMessage({ type: 'progress', message: 'x', fraction: 'half' }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'error', message: 'bad' }), { type: 'error', message: 'bad' });
  });

  it("a token request's error says which request failed, so the panel keeps its analysis", () => {
    assert.deepEqual(parseHostMessage({ type: 'error', message: 'lm.pt: sequence 9: no such sequence', request: 'sequence' }), {
      type: 'error',
      message: 'lm.pt: sequence 9: no such sequence',
      request: 'sequence',
    });
    assert.deepEqual(parseHostMessage({ type: 'error', message: 'x', request: 'alternatives' }), { type: 'error', message: 'x', request: 'alternatives' });
    // Anything else is an analysis error: it replaces the panel, as before.
    assert.deepEqual(parseHostMessage({ type: 'error', message: 'x', request: 'analyze' }), { type: 'error', message: 'x' });
  });

  it('an analysis may name the unit to show losses in, one of the three', () => {
    const entropy = {
      task: 'entropy',
      file: { name: 'a.csv', format: 'csv', rows: 1 },
      roles: { predictions: ['q0', 'q1'], kind: 'probs', kindReason: '', reason: '', columns: [] },
      summary: { n: 1, classes: 2, entropy: 0.5, maxEntropy: Math.LN2, perplexity: Math.exp(0.5) },
      derivations: [],
      plots: {
        parameterCurves: [],
        perSampleLoss: { x: [], y: [] },
        runningMean: { n: [], mean: [], lower: [], upper: [] },
        histogram: { edges: [], counts: [], infinite: 0 },
        worstRows: [],
      },
      warnings: [],
    };
    const analysis = { type: 'analysis', version: 1, fileUri: 'file:///w/a.csv', analysis: entropy, options: {} };
    assert.equal(
      parseHostMessage({ ...analysis, analysis: { ...entropy, summary: { ...entropy.summary, entropy: 'high' } } }),
      undefined,
      'a summary missing its number',
    );
    for (const unit of [undefined, 'nats', 'bits', 'digits']) assert.ok(parseHostMessage({ ...analysis, unit }), String(unit));
    for (const unit of ['furlongs', 2, null]) assert.equal(parseHostMessage({ ...analysis, unit }), undefined, String(unit));
  });
});

describe('webview HTML', () => {
  it('has a strict Content Security Policy: nonce scripts, no eval, nothing remote', () => {
    const csp = contentSecurityPolicy('https://webview.example', 'abc123');
    assert.equal(
      csp,
      "default-src 'none'; img-src https://webview.example data:; style-src https://webview.example 'nonce-abc123'; font-src https://webview.example; script-src 'nonce-abc123'; base-uri 'none'; form-action 'none'",
    );
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|\*/);
  });

  it('escapes the initial state and title into attributes', () => {
    const html = renderWebviewHtml({
      cspSource: 'https://w',
      nonce: 'n',
      title: '<b>"x"</b>',
      scriptUri: 'https://w/a.js',
      styleUris: [],
      initialState: { fileUri: 'file:///"><script>alert(1)</script>' },
    });
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /<title>&lt;b&gt;&quot;x&quot;&lt;\/b&gt;<\/title>/);
    // The page's script, and before it the reporter of a script that could not be fetched.
    assert.equal(html.match(/<script /g)?.length, 2);
    assert.ok(html.indexOf('loadFailed') < html.indexOf('src="https://w/a.js"'));
  });
});

describe('analysis messages of every task', () => {
  const soft = {
    task: 'soft',
    file: { name: 'soft.csv', format: 'csv', rows: 2 },
    roles: { targets: ['t0', 't1'], predictions: ['q0', 'q1'], kind: 'probs', kindReason: '', reason: '', columns: [] },
    summary: {
      n: 2,
      crossEntropy: 0.7,
      logLikelihood: -1.4,
      log10Likelihood: -0.6,
      classes: 2,
      entropy: 0.6,
      kl: 0.1,
      identity: { label: '', lhs: 1.4, rhs: 1.4, residual: 0, holds: true },
      perplexity: 2,
      targetsNotNormalised: 0,
      byClass: { entropy: [0.3, 0.3], kl: [0.05, 0.05] },
    },
    derivations: [],
    plots: {
      parameterCurves: [],
      perSampleLoss: { x: [], y: [] },
      runningMean: { n: [], mean: [], lower: [], upper: [] },
      histogram: { edges: [], counts: [], infinite: 0 },
      worstRows: [],
    },
    warnings: [],
  };
  const message = (analysis: unknown) => ({ type: 'analysis', version: 1, fileUri: 'file:///soft.csv', analysis, options: {} });

  it('accepts a soft analysis and refuses an unknown task or a summary missing its numbers', () => {
    assert.ok(parseHostMessage(message(soft)));
    assert.equal(parseHostMessage(message({ ...soft, task: 'ranking' })), undefined);
    assert.equal(parseHostMessage(message({ ...soft, summary: { ...soft.summary, kl: '0.1' } })), undefined);
    assert.equal(parseHostMessage(message({ ...soft, task: 'regression' })), undefined);
  });

  it('accepts a fit without per-row plots', () => {
    const fit = {
      ...soft,
      task: 'fit',
      roles: { target: 'x', dist: 'poisson', distReason: '', reason: '', columns: [] },
      summary: { n: 2, crossEntropy: 1, logLikelihood: -2, log10Likelihood: -0.8, dist: 'poisson', estimates: { lambda: 2 } },
      plots: { parameterCurves: [] },
    };
    assert.ok(parseHostMessage(message(fit)));
    assert.equal(parseHostMessage(message({ ...fit, summary: { ...fit.summary, dist: 'cauchy' } })), undefined);
  });
});
