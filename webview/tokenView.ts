/**
 * A sequence's text, each token shaded by its surprisal -log p. Hovering or focusing a token
 * shows its probability and rank, and the model's top tokens there, asked of the host once per
 * position (they are read from the logits on demand).
 */
import { convertNats, unitSymbol, type InformationUnit, type LanguageModelAnalysis, type TokenAlternatives, type TokenLoss } from '../src/protocol/webview';
import { h } from './dom';
import { formatInUnit, formatNumber } from './format';

type SequenceTokens = LanguageModelAnalysis['tokenView'];

/** A sequence longer than this shows its first tokens only: a page of a million spans would freeze. */
export const MAX_SHOWN_TOKENS = 8192;
/** Positions whose alternatives are kept; the oldest go first. */
const MAX_CACHED = 4096;
/** A pointer passing over tokens asks for none of them; one resting this long asks. */
const HOVER_DELAY_MS = 120;
/** Alternatives listed in the tooltip. */
const TOP = 5;

/**
 * Surprisal levels, by the probability of the token: p >= 1/2, 1/8, 1/64, 1/512, 1/4096, and
 * below. In bits these are 1, 3, 6, 9, 12: whole steps a reader can compare across models.
 */
const LEVEL_BITS = [1, 3, 6, 9, 12] as const;
const LEVEL_PROBABILITIES = ['1/2', '1/8', '1/64', '1/512', '1/4096'] as const;

export function surprisalLevel(lossNats: number): number {
  if (Number.isNaN(lossNats)) return -1;
  const bits = lossNats / Math.LN2;
  let level = 0;
  while (level < LEVEL_BITS.length && bits >= LEVEL_BITS[level]!) level++;
  return level;
}

/** A token's text as shown inline: line breaks and tabs kept and marked, other control characters escaped. */
function inlineText(text: string): string {
  let shown = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\n') shown += '\u21b5\n';
    else if (c === '\t') shown += '\u21e5\t';
    else if (code < 0x20 || code === 0x7f) shown += `\\x${code.toString(16).padStart(2, '0')}`;
    else shown += c;
  }
  return shown;
}

/** A token's text exactly, quoted with escapes (spaces and line breaks visible), as Python's repr would show it. */
export function quotedText(text: string | undefined, id: number): string {
  return text === undefined || text === '' ? `id ${id}` : JSON.stringify(text);
}

const probabilityText = (p: number) => (p >= 0.001 ? `${formatNumber(100 * p, 4)}%` : formatNumber(p, 3));

export interface TokenViewHost {
  /** Ask the host for the model's top tokens at this position. */
  askAlternatives(sequence: number, position: number): void;
}

export class TokenView {
  private tokens: SequenceTokens;
  private readonly alternatives = new Map<string, TokenAlternatives>();
  /** The position last asked for: asked once while it is wanted; asked again if the host dropped it for a newer one. */
  private asked: string | undefined;
  private hoverTimer: number | undefined;
  private highlighted: number | undefined;
  /** The token the tooltip describes, by its index in the sequence. */
  private tipIndex: number | undefined;
  private active = 0;
  private unit: InformationUnit = 'nats';
  private element: HTMLElement | undefined;
  private textElement: HTMLElement | undefined;
  private tip: HTMLElement | undefined;
  private messageElement: HTMLElement | undefined;

  constructor(
    initial: SequenceTokens,
    private readonly host: TokenViewHost,
  ) {
    this.tokens = initial;
  }

  get sequence(): number {
    return this.tokens.sequence;
  }

  /** The whole section, built afresh (a new unit, a new theme); what is cached and shown is kept. */
  render(unit: InformationUnit): HTMLElement {
    this.unit = unit;
    this.messageElement = h('p', { class: 'token-view-message', 'data-testid': 'token-view-message', 'aria-live': 'polite' });
    this.tip = h('div', { class: 'token-tip', id: 'token-tip', role: 'tooltip', 'data-testid': 'token-tip', hidden: true });
    this.textElement = h('div', { class: 'token-text', role: 'group', 'data-testid': 'token-text' });
    // The tooltip sits beside the scrolling box, not in it, so the box never clips it.
    const wrap = h('div', { class: 'token-text-wrap' }, this.textElement);
    const stage = h('div', { class: 'token-stage' }, wrap, this.tip);
    this.element = h(
      'section',
      { class: 'token-view', 'aria-label': 'Tokens' },
      h('h2', { 'data-testid': 'token-view-title' }),
      legend(unit),
      this.messageElement,
      stage,
    );
    this.listen(stage, wrap);
    this.fill();
    return this.element;
  }

  /** Another sequence from the host: replaces the text; `highlight` marks one position in it. */
  show(tokens: SequenceTokens, highlight?: number): void {
    this.tokens = tokens;
    this.highlighted = highlight;
    this.asked = undefined;
    this.active =
      highlight === undefined
        ? 0
        : Math.max(
            0,
            tokens.tokens.findIndex((token) => token.position === highlight),
          );
    this.setMessage('');
    this.fill();
    if (highlight !== undefined) this.textElement?.querySelector('.token.highlighted')?.scrollIntoView({ block: 'nearest' });
  }

  /** Marks a position of the sequence shown. */
  highlight(position: number): void {
    this.show(this.tokens, position);
  }

  receiveAlternatives(alternatives: TokenAlternatives): void {
    const key = `${alternatives.sequence}:${alternatives.position}`;
    if (this.alternatives.size >= MAX_CACHED) this.alternatives.delete(this.alternatives.keys().next().value!);
    this.alternatives.set(key, alternatives);
    if (this.asked === key) this.asked = undefined;
    const token = this.tipIndex === undefined ? undefined : this.tokens.tokens[this.tipIndex];
    if (!token || this.tokens.sequence !== alternatives.sequence || token.position !== alternatives.position) return;
    this.fillTip(token);
    this.place(this.textElement!.children[this.tipIndex!] as HTMLElement);
  }

  /** The host could not read the top tokens: said in the tooltip, and asked again on the next hover. */
  alternativesFailed(): void {
    this.asked = undefined;
    const loading = this.tip?.querySelector('.tip-loading');
    if (loading) loading.textContent = 'The model\u2019s top tokens could not be read (see above the text).';
  }

  /** A line beside the tokens: a request that failed, or one under way. The rest of the panel stays. */
  setMessage(text: string, isError = false): void {
    if (!this.messageElement) return;
    this.messageElement.textContent = text;
    this.messageElement.classList.toggle('error', isError);
    if (isError) this.messageElement.setAttribute('role', 'alert');
    else this.messageElement.removeAttribute('role');
    this.messageElement.setAttribute('data-testid', isError ? 'token-view-error' : 'token-view-message');
  }

  private fill(): void {
    if (!this.element || !this.textElement) return;
    const { sequence, tokens } = this.tokens;
    const shown = tokens.slice(0, MAX_SHOWN_TOKENS);
    const title = this.element.querySelector('h2')!;
    title.textContent = `Sequence ${sequence}: ${tokens.length.toLocaleString('en-US')} scored token${tokens.length === 1 ? '' : 's'}${shown.length < tokens.length ? `, the first ${shown.length.toLocaleString('en-US')} shown` : ''}`;
    this.textElement.setAttribute('aria-label', `Sequence ${sequence}, each token shaded by its loss. Arrow keys move between tokens.`);
    this.active = Math.min(this.active, Math.max(0, shown.length - 1));
    this.textElement.replaceChildren(...shown.map((token, index) => this.tokenElement(token, index)));
    this.hideTip();
  }

  private tokenElement(token: TokenLoss, index: number): HTMLElement {
    const level = surprisalLevel(token.loss);
    const hasText = token.text !== undefined && token.text !== '';
    const classes = ['token', level < 0 ? 'surprisal-unknown' : `surprisal-${level}`];
    if (!hasText) classes.push('token-id');
    if (token.position === this.highlighted) classes.push('highlighted');
    return h(
      'span',
      {
        class: classes.join(' '),
        tabindex: index === this.active ? 0 : -1,
        'data-index': index,
        'data-position': token.position,
        'data-loss': String(token.loss),
        'data-testid': 'token',
        'aria-describedby': 'token-tip',
      },
      hasText ? inlineText(token.text!) : `[${token.id}]`,
    );
  }

  private listen(stage: HTMLElement, wrap: HTMLElement): void {
    const text = this.textElement!;
    const indexOf = (target: EventTarget | null) => {
      const element = target instanceof Element ? target.closest('.token') : null;
      return element ? Number(element.getAttribute('data-index')) : undefined;
    };
    text.addEventListener('mouseover', (event) => {
      const index = indexOf(event.target);
      if (index !== undefined) this.showTip(index, HOVER_DELAY_MS);
    });
    const backToFocus = () => {
      const focused = indexOf(document.activeElement);
      if (focused !== undefined && text.contains(document.activeElement)) this.showTip(focused, 0);
      else this.hideTip();
    };
    stage.addEventListener('mouseleave', backToFocus);
    wrap.addEventListener('scroll', backToFocus, { passive: true });
    text.addEventListener('focusin', (event) => {
      const index = indexOf(event.target);
      if (index === undefined) return;
      this.setActive(index);
      this.showTip(index, 0);
    });
    text.addEventListener('focusout', (event) => {
      if (!(event.relatedTarget instanceof Node && text.contains(event.relatedTarget))) this.hideTip();
    });
    text.addEventListener('keydown', (event) => {
      const index = indexOf(event.target);
      if (index === undefined) return;
      const last = Math.min(this.tokens.tokens.length, MAX_SHOWN_TOKENS) - 1;
      const next: Record<string, number> = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: last };
      if (event.key === 'Escape') {
        this.hideTip();
        return;
      }
      const to = next[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const target = text.children[Math.max(0, Math.min(last, to))] as HTMLElement | undefined;
      target?.focus();
    });
  }

  /** Roving focus: one token is in the tab order, the arrow keys move it. */
  private setActive(index: number): void {
    const text = this.textElement!;
    text.children[this.active]?.setAttribute('tabindex', '-1');
    this.active = index;
    text.children[index]?.setAttribute('tabindex', '0');
  }

  private showTip(index: number, askDelayMs: number): void {
    const token = this.tokens.tokens[index];
    const element = this.textElement?.children[index] as HTMLElement | undefined;
    if (!token || !element || !this.tip) return;
    this.tipIndex = index;
    this.fillTip(token);
    this.tip.hidden = false;
    this.place(element);
    window.clearTimeout(this.hoverTimer);
    const key = `${this.tokens.sequence}:${token.position}`;
    if (this.alternatives.has(key) || this.asked === key) return;
    const ask = () => {
      if (this.tipIndex !== index) return;
      this.asked = key;
      this.host.askAlternatives(this.tokens.sequence, token.position);
    };
    if (askDelayMs > 0) this.hoverTimer = window.setTimeout(ask, askDelayMs);
    else ask();
  }

  private hideTip(): void {
    window.clearTimeout(this.hoverTimer);
    this.tipIndex = undefined;
    if (this.tip) this.tip.hidden = true;
  }

  /**
   * Below the token, or above it when the window ends first; never wider than the text's box.
   * Through the CSSOM: the CSP refuses style attributes.
   */
  private place(element: HTMLElement): void {
    const tip = this.tip!;
    const stage = tip.parentElement!.getBoundingClientRect();
    const token = element.getClientRects()[0] ?? element.getBoundingClientRect();
    const left = Math.max(0, Math.min(token.left - stage.left, stage.width - tip.offsetWidth));
    const fitsBelow = token.bottom + 4 + tip.offsetHeight <= window.innerHeight;
    const fitsAbove = token.top - 4 - tip.offsetHeight >= 0;
    tip.style.left = `${left}px`;
    tip.style.top = `${fitsBelow || !fitsAbove ? token.bottom - stage.top + 4 : token.top - stage.top - tip.offsetHeight - 4}px`;
  }

  private fillTip(token: TokenLoss): void {
    const tip = this.tip!;
    const unit = this.unit;
    const probability = Math.exp(-token.loss);
    const found = this.alternatives.get(`${this.tokens.sequence}:${token.position}`);
    tip.replaceChildren(
      h(
        'div',
        { class: 'tip-token', 'data-testid': 'tip-token' },
        h('code', {}, quotedText(token.text, token.id)),
        token.text ? h('span', { class: 'tip-id' }, ` id ${token.id}`) : '',
      ),
      h(
        'dl',
        { class: 'tip-figures' },
        h('dt', {}, 'probability'),
        h('dd', { 'data-testid': 'tip-probability', 'data-value': String(probability) }, `${probabilityText(probability)} = exp(\u2212loss)`),
        h('dt', {}, 'loss'),
        h('dd', { 'data-testid': 'tip-loss' }, formatInUnit(token.loss, unit, 6)),
        h('dt', {}, 'rank'),
        h(
          'dd',
          { 'data-testid': 'tip-rank', 'data-value': String(token.rank) },
          `${token.rank.toLocaleString('en-US')}${token.rank === 1 ? ' (the model\u2019s first choice)' : ''}`,
        ),
        h('dt', {}, 'position'),
        h('dd', {}, `sequence ${this.tokens.sequence}, position ${token.position}`),
      ),
      found ? alternativesList(found) : h('p', { class: 'tip-loading', 'data-testid': 'tip-loading' }, 'Loading the model\u2019s top tokens\u2026'),
    );
  }
}

function alternativesList(found: TokenAlternatives): HTMLElement {
  const targetInTop = found.top.slice(0, TOP).some((entry) => entry.id === found.target.id);
  return h(
    'div',
    { class: 'tip-alternatives' },
    h('div', { class: 'tip-heading' }, `The model\u2019s top ${Math.min(TOP, found.top.length)} here`),
    h(
      'ol',
      { 'data-testid': 'token-alternatives' },
      ...found.top.slice(0, TOP).map((entry) =>
        h(
          'li',
          {
            class: entry.id === found.target.id ? 'is-target' : undefined,
            'data-testid': 'alternative',
            'data-id': entry.id,
            'data-probability': String(entry.probability),
          },
          h('code', {}, quotedText(entry.text, entry.id)),
          h('span', { class: 'tip-probability' }, probabilityText(entry.probability)),
        ),
      ),
    ),
    targetInTop
      ? ''
      : h(
          'p',
          { class: 'tip-target' },
          `The target ${quotedText(found.target.text, found.target.id)}: ${probabilityText(found.target.probability)}, rank ${found.target.rank.toLocaleString('en-US')}`,
        ),
  );
}

/** What each shade means, in probability and in the unit chosen. */
function legend(unit: InformationUnit): HTMLElement {
  const loss = (bits: number) => `${formatNumber(convertNats(bits * Math.LN2, unit), 3)} ${unitSymbol(unit)}`;
  const items = [
    `p \u2265 ${LEVEL_PROBABILITIES[0]} (loss < ${loss(LEVEL_BITS[0])})`,
    ...LEVEL_PROBABILITIES.slice(1).map((p, i) => `p ${p}\u2013${LEVEL_PROBABILITIES[i]}`),
    `p < ${LEVEL_PROBABILITIES[LEVEL_PROBABILITIES.length - 1]} (loss \u2265 ${loss(LEVEL_BITS[LEVEL_BITS.length - 1])})`,
  ];
  return h(
    'ol',
    { class: 'surprisal-legend', 'aria-label': 'Shading: the loss -log p of each token', 'data-testid': 'surprisal-legend' },
    ...items.map((text, level) => h('li', {}, h('span', { class: `swatch surprisal-${level}`, 'aria-hidden': 'true' }), text)),
  );
}
