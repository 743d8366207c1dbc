import * as vscode from 'vscode';
import type { TextProblem } from '../analysis/sources/csvProblems';
import { isTableDataFile } from './dataFiles';
import type { LiveAnalyses, LiveLease } from './liveAnalyses';
import { readSettings } from './settings';

const toDiagnostic = (problem: TextProblem): vscode.Diagnostic => {
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(problem.line, problem.column, problem.endLine, problem.endColumn),
    problem.message,
    problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = 'Likelihood Lens';
  return diagnostic;
};

/** Problems-view entries for every open CSV/TSV editor, updated as the user types and cleared when fixed. */
export class DataFileProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('likelihood-lens');
  private readonly leases = new Map<string, vscode.Disposable[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly analyses: LiveAnalyses) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((document) => this.track(document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.untrack(document.uri)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('likelihoodLens.diagnostics')) return;
        for (const key of [...this.leases.keys()]) this.untrack(vscode.Uri.parse(key));
        for (const document of vscode.workspace.textDocuments) this.track(document);
      }),
    ];
    for (const document of vscode.workspace.textDocuments) this.track(document);
  }

  private track(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if (!readSettings().diagnostics || !isTableDataFile(document.uri) || this.leases.has(key)) return;
    const lease: LiveLease = this.analyses.acquire(document.uri);
    const update = () => {
      const latest = lease.live.latest;
      // Problems are worked out from editor text only; a result read from disk says nothing about the buffer.
      if (latest?.from === 'editor') this.collection.set(document.uri, latest.problems.map(toDiagnostic));
    };
    this.leases.set(key, [lease, lease.live.onDidUpdate(update)]);
    update();
  }

  private untrack(uri: vscode.Uri): void {
    const key = uri.toString();
    for (const disposable of this.leases.get(key) ?? []) disposable.dispose();
    this.leases.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const key of [...this.leases.keys()]) this.untrack(vscode.Uri.parse(key));
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
  }
}
