import type * as vscode from 'vscode';

/**
 * Owns what it registers and disposes it once, in reverse order. Subclasses check `isDisposed`
 * before touching anything that may be gone (a webview panel VS Code has already closed).
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes `disposable` to dispose with this; disposes it at once if this is already disposed. */
  protected _register<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) disposable.dispose();
    else this.owned.push(disposable);
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const disposable of this.owned.splice(0).reverse()) disposable.dispose();
  }
}
