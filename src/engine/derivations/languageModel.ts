import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber, latexScientific, latexText } from '../format';
import { LN10, type ScientificNumber } from '../logSpace';

export interface LanguageModelFigures {
  /** N, the scored tokens, and S, the sequences with at least one. */
  readonly tokens: number;
  readonly sequences: number;
  /** sum of log p over the scored tokens: the token-level compensated sum. */
  readonly logLikelihood: number;
  readonly crossEntropy: number;
  readonly perplexity: number;
  readonly likelihood: ScientificNumber;
  /** The per-sequence NLL sums (each accumulated on its own) added up: the same total reached another way. */
  readonly sequenceNllTotal: number;
  /** The per-position NLL sums added up: a third way. */
  readonly positionNllTotal: number;
  readonly predictionKind: 'logits' | 'token-logprobs';
  readonly shift: boolean;
  /** A sequence to show the chain rule with, and its first scored token. */
  readonly example: {
    readonly sequence: number;
    readonly tokens: number;
    readonly nll: number;
    readonly token: { readonly position: number; readonly id: number; readonly text?: string; readonly loss: number };
  };
  readonly predictionsName: string;
  readonly targetName?: string;
}

/**
 * A language model's likelihood, from the chain rule to the perplexity, with this file's numbers:
 * the probability of a sequence is the product of each token's conditional probability given
 * its prefix, written (and computed) as a sum of logs; the file's log-likelihood is the sum over
 * its tokens, the cross-entropy its mean, and the perplexity exp of it.
 */
export function languageModelDerivation(f: LanguageModelFigures): Derivation {
  const { example } = f;
  const source = f.targetName ? `${f.predictionsName} against ${f.targetName}` : f.predictionsName;
  const tokenText = example.token.text !== undefined ? `\\text{${latexText(JSON.stringify(example.token.text))}}` : `\\text{id ${example.token.id}}`;
  const targetAt = f.shift ? 'x_{t+1}' : 'x_t';
  const steps: DerivationStep[] = [
    {
      id: 'chain-rule',
      title: 'The chain rule: a sequence as a product of next-token probabilities',
      latex:
        `p_\\theta(x_1, \\dots, x_T) = \\prod_{t=1}^{T} p_\\theta(x_t \\mid x_{<t})` +
        `\\;\\Longleftrightarrow\\; \\log p_\\theta(x_{1:T}) = \\sum_{t=1}^{T} \\log p_\\theta(x_t \\mid x_{<t})` +
        `\\qquad \\text{sequence ${example.sequence}: } ${latexNumber(-example.nll, 10)} \\text{ over ${example.tokens} tokens}`,
      note: 'Exact for any distribution over sequences: each token is predicted from the tokens before it. The product of thousands of probabilities underflows, so it is only ever written, and computed, as a sum of logs.',
      source: `sequence ${example.sequence}`,
    },
    {
      id: 'token-conditional',
      title: 'Each token given its prefix',
      latex:
        f.predictionKind === 'logits'
          ? `p_\\theta(x_t \\mid x_{<t}) = \\operatorname{softmax}(z_t)_{x_t} = \\exp\\!\\Big(z_{t,x_t} - \\log\\sum_{v=1}^{V} e^{z_{t,v}}\\Big)` +
            `\\qquad -\\log p(${tokenText}) = ${latexNumber(example.token.loss, 10)}`
          : `\\log p_\\theta(x_t \\mid x_{<t}) \\text{ as given}\\qquad -\\log p(${tokenText}) = ${latexNumber(example.token.loss, 10)}`,
      note:
        f.predictionKind === 'logits'
          ? `The logits at position t score ${targetAt}${f.shift ? ' (the next token: the model has seen x_1..x_t)' : ''}; the log-sum-exp is taken with the row's maximum out, so no exponential overflows. Shown: sequence ${example.sequence}, position ${example.token.position}.`
          : `The file holds log p of each token directly. Shown: sequence ${example.sequence}, position ${example.token.position}.`,
      source,
    },
    {
      id: 'sum-log-likelihood',
      title: 'The log-likelihood of the file',
      latex: `\\log L(\\theta) = \\sum_{s=1}^{${f.sequences}} \\sum_{t} \\log p_\\theta(x_{s,t} \\mid x_{s,<t}) = ${latexNumber(f.logLikelihood, 10)}`,
      note: `Sequences are independent, so their log-probabilities add: ${f.tokens} scored tokens (targets equal to the ignore index, or masked out, are not scored). Summed token by token with compensation; the per-sequence sums added up must give the same.`,
      source,
      check: checkIdentity('sum over sequences of their NLL = token-level NLL sum', -f.sequenceNllTotal, f.logLikelihood),
    },
    {
      id: 'cross-entropy',
      title: 'The cross-entropy the training loop minimises',
      latex: `\\mathrm{CE} = -\\frac{1}{N}\\log L(\\theta) = -\\frac{${latexNumber(f.logLikelihood, 10)}}{${f.tokens}} = ${latexNumber(f.crossEntropy, 10)}\\ \\text{nats/token}`,
      note: "The mean over scored tokens: F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-100) with reduction='mean'. The per-position sums, added up, give the same total.",
      check: checkIdentity('sum over positions of their NLL = token-level NLL sum', -f.positionNllTotal, f.logLikelihood),
    },
    {
      id: 'perplexity',
      title: 'Perplexity',
      latex: `\\mathrm{PPL} = e^{\\mathrm{CE}} = e^{${latexNumber(f.crossEntropy, 10)}} = ${latexNumber(f.perplexity, 10)}`,
      note: 'The geometric mean of 1 / p over the scored tokens: the model is as unsure as a uniform choice among this many tokens. Bits per token are CE / ln 2.',
    },
    {
      id: 'likelihood',
      title: 'The likelihood itself',
      latex: `L = 10^{\\log L / \\ln 10} = 10^{${latexNumber(f.logLikelihood / LN10, 10)}} = ${latexScientific(f.likelihood)}`,
      note: 'Split into mantissa and exponent from its logarithm: no product of probabilities is ever formed.',
    },
  ];
  return { id: 'language-model', title: 'The likelihood of a language model: chain rule, cross-entropy, perplexity', steps };
}
