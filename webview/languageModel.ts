/**
 * The loss panel's parts for a language model: the token view, the sequence table and the worst
 * tokens, wired to the host's 'sequence' and 'alternatives' replies. One instance per analysis,
 * so the sequence shown, the sort and the fetched alternatives survive a change of unit or theme.
 */
import type { HostMessage, InformationUnit, LanguageModelAnalysis, TokenRequest, WebviewMessage } from '../src/protocol/webview';
import { SequenceTable, worstTokensView } from './sequenceTable';
import { TokenView } from './tokenView';

type TokenReply = Extract<HostMessage, { type: 'sequence' | 'alternatives' }>;

export class LanguageModelView {
  private readonly tokens: TokenView;
  private readonly table: SequenceTable;
  /** The sequence asked for and not yet received, with the position to mark in it. */
  private pending: { readonly sequence: number; readonly position?: number } | undefined;

  constructor(
    readonly version: number,
    readonly analysis: LanguageModelAnalysis,
    private readonly post: (message: WebviewMessage) => void,
  ) {
    this.tokens = new TokenView(analysis.tokenView, { askAlternatives: (sequence, position) => post({ type: 'tokenAlternatives', sequence, position }) });
    this.table = new SequenceTable(analysis, analysis.tokenView.sequence, (sequence) => this.open(sequence));
  }

  tokenView(unit: InformationUnit): HTMLElement {
    return this.tokens.render(unit);
  }

  sequences(unit: InformationUnit): HTMLElement {
    return this.table.render(unit);
  }

  worstTokens(unit: InformationUnit): HTMLElement {
    return worstTokensView(this.analysis, unit, (sequence, position) => this.open(sequence, position));
  }

  /** Shows a sequence, asking the host for it unless it is the one shown; `position` is marked in it. */
  open(sequence: number, position?: number): void {
    this.table.select(sequence);
    if (sequence === this.tokens.sequence && this.pending === undefined) {
      if (position !== undefined) this.tokens.highlight(position);
      return;
    }
    this.pending = { sequence, ...(position !== undefined ? { position } : {}) };
    this.tokens.setMessage(`Reading sequence ${sequence}\u2026`);
    this.post({ type: 'showSequence', sequence });
  }

  receive(message: TokenReply): void {
    if (message.version !== this.version) return;
    if (message.type === 'alternatives') {
      this.tokens.receiveAlternatives(message.alternatives);
      return;
    }
    const { sequence } = message.tokenView;
    // A reply to a sequence asked for before the last one is not what the user wants now.
    if (this.pending && this.pending.sequence !== sequence) return;
    const position = this.pending?.position;
    this.pending = undefined;
    this.table.select(sequence);
    this.tokens.show(message.tokenView, position);
  }

  /** A token request failed: said beside the tokens, the panel as it was. */
  failed(message: string, request: TokenRequest): void {
    if (request === 'alternatives') this.tokens.alternativesFailed();
    else {
      this.pending = undefined;
      this.table.select(this.tokens.sequence);
    }
    this.tokens.setMessage(message, true);
  }
}
