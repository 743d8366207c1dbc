import * as vscode from 'vscode';
import { plainNumber } from '../engine/format';
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
    this.item.name = 'Likelihood Lens';
    this.subscriptions = [
      vscode.window.tabGroups.onDidChangeTabs(() => this.follow()),
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('likelihoodLens.statusBar') && this.follow()),
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
    this.item.command = { title: 'Open Loss Panel', command: 'likelihoodLens.openLossPanel', arguments: [file] };
    if (this.lease.live.latest) this.render(this.lease.live.latest);
    else {
      this.item.text = '$(loading~spin) Likelihood Lens';
      this.item.tooltip = undefined;
    }
    this.item.show();
  }

  private render(result: LiveResult): void {
    const analysis = result.analysis;
    if (analysis) {
      const { crossEntropy, n } = analysis.summary;
      this.item.text = `$(graph-line) CE ${plainNumber(crossEntropy, 5)} · n ${n.toLocaleString('en-US')}`;
      this.item.tooltip = `${analysis.file.name}: cross-entropy ${plainNumber(crossEntropy, 10)} nats over ${n} rows (${analysis.roles.kind ?? analysis.task}). Click to open the loss panel.`;
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = '$(warning) Likelihood Lens';
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
