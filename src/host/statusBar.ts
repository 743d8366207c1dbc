import * as vscode from 'vscode';
import { headline } from '../analysis/results';
import { plainNumber } from '../engine/format';
import { convertNats, unitSymbol } from '../engine/units';
import { activeDataFile } from './dataFiles';
import type { LiveAnalyses, LiveLease } from './liveAnalyses';
import type { LiveResult } from './liveAnalysis';
import { readSettings } from './settings';

/** The active data file's cross-entropy and n in the status bar; a click opens the loss panel. */
export class LossStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('likelihoodLens.status', vscode.StatusBarAlignment.Right, 100);
  private lease: LiveLease | undefined;
  private leaseListener: vscode.Disposable | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly analyses: LiveAnalyses) {
    this.item.name = vscode.l10n.t('Likelihood Lens');
    this.subscriptions = [
      vscode.window.tabGroups.onDidChangeTabs(() => this.follow()),
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('likelihoodLens.statusBar')) this.follow();
        else if (event.affectsConfiguration('likelihoodLens.logBase') && this.lease?.live.latest) this.render(this.lease.live.latest);
      }),
    ];
    this.follow();
  }

  /** The text shown, for tests. */
  get text(): string | undefined {
    return this.lease ? this.item.text : undefined;
  }

  private follow(): void {
    const file = readSettings().statusBar ? activeDataFile() : undefined;
    if (file?.toString() === this.lease?.live.uri.toString()) return;
    this.release();
    if (!file) {
      this.item.hide();
      return;
    }
    this.lease = this.analyses.acquire(file);
    this.leaseListener = this.lease.live.onDidUpdate((result) => this.render(result));
    this.item.command = { title: vscode.l10n.t('Open Loss Panel'), command: 'likelihoodLens.openLossPanel', arguments: [file] };
    if (this.lease.live.latest) this.render(this.lease.live.latest);
    else {
      this.item.text = `$(loading~spin) ${vscode.l10n.t('Likelihood Lens')}`;
      this.item.tooltip = undefined;
    }
    this.item.show();
  }

  private render(result: LiveResult): void {
    const analysis = result.analysis;
    if (analysis) {
      const { n } = analysis.summary;
      const main = headline(analysis);
      const { unit } = readSettings();
      const shown = convertNats(main.value, unit);
      if (analysis.task === 'lm') {
        const { perplexity, sequences } = analysis.summary;
        this.item.text = `$(graph-line) ${vscode.l10n.t('CE {0} {1}/token · ppl {2} · {3} tokens', plainNumber(shown, 3), unitSymbol(unit), plainNumber(perplexity, 3), n.toLocaleString('en-US'))}`;
        this.item.tooltip = vscode.l10n.t(
          '{0}: cross-entropy {1} {2} per token over {3} tokens in {4} sequences, perplexity {5}. Click to open the loss panel.',
          analysis.file.name,
          plainNumber(shown, 10),
          unitSymbol(unit),
          n,
          sequences,
          plainNumber(perplexity, 10),
        );
      } else {
        this.item.text = `$(graph-line) ${vscode.l10n.t('{0} {1} {2} · n {3}', main.short, plainNumber(shown, 5), unitSymbol(unit), n.toLocaleString('en-US'))}`;
        this.item.tooltip = vscode.l10n.t(
          '{0}: {1} {2} {3} over {4} rows ({5}). Click to open the loss panel.',
          analysis.file.name,
          main.label,
          plainNumber(shown, 10),
          unitSymbol(unit),
          n,
          analysis.roles.kind ?? analysis.task,
        );
      }
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = `$(warning) ${vscode.l10n.t('Likelihood Lens')}`;
      this.item.tooltip = result.error;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
  }

  private release(): void {
    this.leaseListener?.dispose();
    this.lease?.dispose();
    this.lease = undefined;
  }

  dispose(): void {
    this.release();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
