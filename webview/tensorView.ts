/** The read-only view of a tensor file: each tensor's name, dtype, shape, statistics and first values. */
import { parseTensorViewHostMessage, type TensorFileSummary, type TensorViewMessage } from '../src/protocol/webview';
import { actionButton, h } from './dom';
import { formatNumber } from './format';

interface VsCodeApi {
  postMessage(message: TensorViewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

const stat = (value: number | undefined) => (value === undefined ? '\u2013' : formatNumber(value, 6));
const previewText = (values: readonly (number | string)[], count: number) =>
  `${values.map((v) => (typeof v === 'number' ? formatNumber(v, 5) : v)).join(', ')}${count > values.length ? ', \u2026' : ''}`;

function render(summary: TensorFileSummary, analysable: boolean): void {
  const rows = summary.tensors.map((tensor) =>
    h(
      'tr',
      { 'data-testid': 'tensor-row', 'data-name': tensor.name },
      h('th', { scope: 'row', class: 'name' }, tensor.name),
      h('td', {}, tensor.dtype),
      h('td', { class: 'num' }, `[${tensor.shape.join(', ')}]`),
      h('td', { class: 'num' }, stat(tensor.min)),
      h('td', { class: 'num' }, stat(tensor.max)),
      h('td', { class: 'num' }, stat(tensor.mean)),
      h('td', { class: `num${tensor.nanCount > 0 ? ' flagged' : ''}` }, String(tensor.nanCount)),
      h('td', { class: `num${tensor.infCount > 0 ? ' flagged' : ''}` }, String(tensor.infCount)),
      h('td', { class: 'preview' }, previewText(tensor.preview, tensor.count)),
    ),
  );
  const metadata = Object.entries(summary.metadata);
  app.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, summary.fileName),
      h('p', { class: 'subtitle' }, `${summary.format} \u00b7 ${summary.tensors.length} ${summary.tensors.length === 1 ? 'tensor' : 'tensors'}`),
    ),
    h(
      'div',
      { class: 'toolbar', role: 'toolbar' },
      analysable
        ? actionButton(
            'Open Loss Panel',
            'Compute the cross-entropy of these predictions and labels',
            () => vscode.postMessage({ type: 'openLossPanel' }),
            'open-loss-panel',
          )
        : null,
      actionButton(
        'Reopen with Default Editor',
        'Show the file in the editor VS Code would use otherwise',
        () => vscode.postMessage({ type: 'reopenWithDefault' }),
        'reopen-default',
      ),
    ),
    summary.warnings.length > 0 ? h('ul', { class: 'warnings' }, ...summary.warnings.map((w) => h('li', {}, w))) : '',
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'tensors', 'data-testid': 'tensor-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...['name', 'dtype', 'shape', 'min', 'max', 'mean', 'NaN', 'inf', 'first values'].map((label) => h('th', { scope: 'col' }, label))),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
    metadata.length > 0
      ? h('section', {}, h('h2', {}, 'Metadata'), h('dl', { class: 'metadata' }, ...metadata.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, value)])))
      : '',
  );
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseTensorViewHostMessage(event.data);
  if (!message) return;
  if (message.type === 'tensors') render(message.summary, message.analysable);
  else app.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, message.message));
});
vscode.postMessage({ type: 'ready' });
