/**
 * Sliders that move a model parameter and show the loss at once. They never go back to the file:
 * the regression NLL at any sigma is closed-form in the sufficient statistics (n, k, the sum of
 * squared residuals), and the temperature curve is interpolated from the grid the host computed.
 */
import type { ClassificationAnalysis, ParameterCurve, RegressionAnalysis, SoftAnalysis, InformationUnit } from '../src/protocol/webview';
import { h } from './dom';
import { formatInUnit, formatLoss, formatNumber } from './format';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const STEPS = 200;

/** -log L of a Gaussian with fixed sigma over n rows of k outputs: n k (log sqrt(2 pi) + log sigma) + SSE / (2 sigma^2). */
export function gaussianNllAt(sigma: number, n: number, k: number, sumSquaredError: number): number {
  return n * k * (HALF_LOG_TWO_PI + Math.log(sigma)) + sumSquaredError / (2 * sigma * sigma);
}

/** The average NLL at T, linear in log T between the grid points (the grid is log-spaced). */
export function interpolateCurve(curve: Pick<ParameterCurve, 'x' | 'averageNll'>, t: number): number {
  const { x, averageNll } = curve;
  if (t <= x[0]!) return averageNll[0]!;
  for (let i = 1; i < x.length; i++) {
    if (t <= x[i]!) {
      const w = (Math.log(t) - Math.log(x[i - 1]!)) / (Math.log(x[i]!) - Math.log(x[i - 1]!));
      return averageNll[i - 1]! + w * (averageNll[i]! - averageNll[i - 1]!);
    }
  }
  return averageNll[averageNll.length - 1]!;
}

interface LogSlider {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  readonly output: HTMLOutputElement;
  value(): number;
}

/** A range input over [low, high] on a log scale, labelled, with an output beside it. */
function logSlider(id: string, label: string, low: number, high: number, start: number): LogSlider {
  const toValue = (position: number) => Math.exp(Math.log(low) + (position / STEPS) * (Math.log(high) - Math.log(low)));
  const position = Math.round((STEPS * (Math.log(start) - Math.log(low))) / (Math.log(high) - Math.log(low)));
  const input = h('input', {
    type: 'range',
    id,
    min: '0',
    max: String(STEPS),
    step: '1',
    value: String(Math.min(STEPS, Math.max(0, position))),
    'data-testid': `${id}-slider`,
  });
  const output = h('output', { for: id, 'data-testid': `${id}-output`, 'aria-live': 'polite' });
  const element = h('div', { class: 'explorer' }, h('label', { for: id }, label), input, output);
  return { element, input, output, value: () => toValue(Number(input.value)) };
}

/** Drag sigma: the Gaussian NLL per row and the log-likelihood at it, against the MLE. */
export function sigmaExplorer(analysis: RegressionAnalysis, unit: InformationUnit, start: number | undefined, moved: (sigma: number) => void): HTMLElement {
  const s = analysis.summary;
  const k = s.outputs;
  const mle = s.sigmaMle > 0 ? s.sigmaMle : 1;
  const slider = logSlider('sigma', '\u03c3', mle / 20, mle * 20, start ?? s.sigma);
  const update = () => {
    const sigma = slider.value();
    const nll = gaussianNllAt(sigma, s.n, k, s.sumSquaredError);
    slider.input.setAttribute('aria-valuetext', `sigma ${formatNumber(sigma, 4)}`);
    slider.output.setAttribute('data-sigma', String(sigma));
    slider.output.setAttribute('data-value', String(nll / s.n));
    slider.output.textContent = `\u03c3 = ${formatNumber(sigma, 4)}: NLL ${formatLoss(nll / s.n, unit, 'mean', 8)}, log-likelihood ${formatLoss(-nll, unit, 'sum', 8)} (largest at \u03c3 = ${formatNumber(mle, 6)})`;
  };
  slider.input.addEventListener('input', () => {
    update();
    moved(slider.value());
  });
  update();
  return h('section', { class: 'explorers', 'aria-label': 'Explore sigma' }, slider.element);
}

/**
 * The fitted temperature as the card and the slider both say it. A fit that stopped at the edge
 * of the optimiser's range has no minimum inside it: the likelihood keeps improving past the bound.
 */
export function fittedTemperatureText(fit: { readonly value: number; readonly atBoundary: boolean }): string {
  if (!fit.atBoundary) return `T = ${formatNumber(fit.value, 4)}`;
  return `at the bound (T ${fit.value >= 1 ? '\u2265' : '\u2264'} ${formatNumber(fit.value, 4)})`;
}

/** Drag T: the cross-entropy of softmax(log q / T), from the temperature curve's grid. */
export function temperatureExplorer(
  analysis: ClassificationAnalysis,
  unit: InformationUnit,
  start: number | undefined,
  moved: (t: number) => void,
): HTMLElement | '' {
  const curve = analysis.plots.parameterCurves.find((candidate) => candidate.id === 'temperature');
  if (!curve || curve.x.length < 2) return '';
  // The optimiser's T on the same rows as the card, not the grid's best point, which is up to a grid step off.
  const fit = analysis.summary.temperature;
  const best = fit
    ? fit.atBoundary
      ? fittedTemperatureText(fit)
      : `at ${fittedTemperatureText(fit)}`
    : `near T = ${formatNumber(curve.x[curve.maxIndex]!, 4)}`;
  const slider = logSlider('temperature', 'Temperature T', curve.x[0]!, curve.x[curve.x.length - 1]!, start ?? 1);
  const update = () => {
    const t = slider.value();
    const ce = interpolateCurve(curve, t);
    slider.input.setAttribute('aria-valuetext', `T ${formatNumber(t, 4)}`);
    slider.output.setAttribute('data-temperature', String(t));
    slider.output.setAttribute('data-value', String(ce));
    if (fit) slider.output.setAttribute('data-best', String(fit.value));
    slider.output.textContent = `T = ${formatNumber(t, 4)}: cross-entropy ${formatLoss(ce, unit, 'mean', 6)} (smallest ${best})`;
  };
  slider.input.addEventListener('input', () => {
    update();
    moved(slider.value());
  });
  update();
  return h('section', { class: 'explorers', 'aria-label': 'Explore the temperature' }, slider.element);
}

/** One bar: H(p) then KL(p||q), its length `share` of the row it sits in. */
function splitBar(label: string, entropy: number, kl: number, share: number, unit: InformationUnit, testId: string, text: boolean): HTMLElement {
  const total = Math.max(entropy + kl, Number.MIN_VALUE);
  const segment = (name: string, value: number, className: string) => {
    const element = h(
      'div',
      {
        class: `split-segment ${className}`,
        title: `${label} ${name} ${formatInUnit(value, unit, 8)}`,
        'data-testid': `${testId}-${className.slice(6)}`,
        'data-value': String(value),
      },
      text ? `${name} ${formatInUnit(value, unit, 4)}` : '',
    );
    // Through the CSSOM: the CSP refuses inline style attributes.
    element.style.flexGrow = String(Math.max(0, value / total));
    return element;
  };
  const bar = h(
    'div',
    { class: 'split-bar', role: 'img', 'aria-label': `${label}: entropy ${formatInUnit(entropy, unit)} plus KL ${formatInUnit(kl, unit)}` },
    segment('H(p)', entropy, 'split-entropy'),
    segment('KL', kl, 'split-kl'),
  );
  bar.style.width = `${Math.max(0, Math.min(1, share)) * 100}%`;
  return bar;
}

/**
 * H(p,q) as a bar split into H(p) and KL(p||q), the part no model can remove and the part it can;
 * then the same split class by class (-p_c log p_c and p_c log(p_c/q_c), averaged over rows).
 */
export function entropySplit(analysis: SoftAnalysis, unit: InformationUnit): HTMLElement {
  const { entropy, kl, crossEntropy, byClass } = analysis.summary;
  const classTotals = byClass.entropy.map((h, c) => h + byClass.kl[c]!);
  const widest = Math.max(...classTotals, Number.MIN_VALUE);
  return h(
    'section',
    { class: 'split', 'aria-label': 'Entropy and KL divergence' },
    h('h2', {}, `H(p,q) = ${formatLoss(crossEntropy, unit, 'mean', 6)} = H(p) + KL(p\u2016q)`),
    splitBar('all classes', entropy, kl, 1, unit, 'split', true),
    h(
      'ol',
      { class: 'split-classes', 'aria-label': 'By class' },
      ...analysis.roles.targets.map((name, c) =>
        h(
          'li',
          { 'data-testid': 'split-class' },
          h('span', { class: 'split-name' }, name),
          splitBar(name, byClass.entropy[c]!, byClass.kl[c]!, classTotals[c]! / widest, unit, `split-class-${c}`, false),
          h('span', { class: 'split-total' }, formatInUnit(classTotals[c]!, unit, 4)),
        ),
      ),
    ),
  );
}
