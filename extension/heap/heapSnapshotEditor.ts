import { stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { HeapSummary } from '../../server/heap/heapTypes';
import type { FromHeapSummary, ToHeapSummary } from '../../webview/heap/summary/messages';
import { makeNonce } from '../panels/webviewHtml';
import { ServerError, type ServerClient } from '../server/serverClient';
import { heapErrorAdvice } from './heapText';
import { heapPageHtml } from './heapPage';

export const HEAP_SNAPSHOT_VIEW_TYPE = 'perflens.heapSnapshot';
/** Summaries kept for files opened again unchanged (a summary is small; reading a large file is not). */
const KEPT_SUMMARIES = 8;

/** What an open summary editor last drew, for tests. */
export type SummaryEditorState = Omit<Extract<FromHeapSummary, { type: 'rendered' }>, 'type'>;

/**
 * The editor for *.heapsnapshot files (the default for them, so VS Code never opens a snapshot of
 * gigabytes as text): the server reads the file (summarizeHeapSnapshot, bounded memory), the page
 * shows its progress, then the summary, or what is wrong with the file and what to do. Summaries
 * run one at a time (the server reads one snapshot at a time); closing an editor cancels its own.
 */
export class HeapSnapshotEditorProvider implements vscode.CustomReadonlyEditorProvider {
  private readonly kept = new Map<string, { mtimeMs: number; size: number; summary: HeapSummary }>();
  private readonly states = new Map<string, SummaryEditorState>();
  /** The summaries asked for, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: () => Promise<ServerClient>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Registers the provider (one webview per editor, kept while hidden: a summary is not cheap to redo). */
  register(): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(HEAP_SNAPSHOT_VIEW_TYPE, this, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false });
  }

  /** What the editor of `uri` last drew (undefined: none open, or nothing drawn yet). */
  state(uri: vscode.Uri): SummaryEditorState | undefined {
    return this.states.get(uri.toString());
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => this.states.delete(uri.toString()) };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const { uri } = document;
    const key = uri.toString();
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
    const disposables: vscode.Disposable[] = [];
    const closing = new vscode.CancellationTokenSource();
    /** The last message given to the page: handed to it again if VS Code reloads the page. */
    let shown: ToHeapSummary | undefined;
    let running: Promise<void> | undefined;
    const post = (message: ToHeapSummary) => {
      if (message.type !== 'progress') shown = message;
      if (!closing.token.isCancellationRequested) void webview.postMessage(message);
    };
    const summarize = () => {
      running ??= this.summarize(uri, post, closing.token).finally(() => (running = undefined));
    };
    webview.onDidReceiveMessage((message: FromHeapSummary) => {
      switch (message?.type) {
        case 'ready':
          if (shown) void webview.postMessage(shown);
          else summarize();
          break;
        case 'retry':
          this.kept.delete(uri.fsPath);
          summarize();
          break;
        case 'rendered': {
          const { type: _type, ...state } = message;
          this.states.set(key, state);
          break;
        }
        case 'error':
          this.log.error(`heap snapshot editor: ${message.message}`);
          break;
      }
    }, undefined, disposables);
    panel.onDidDispose(() => {
      closing.cancel();
      this.states.delete(key);
      for (const d of disposables.splice(0)) d.dispose();
    });
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    webview.html = heapPageHtml({ cspSource: webview.cspSource, nonce: makeNonce(), asset, script: 'heapSummary.js', title: 'Heap snapshot', waiting: 'Starting…' });
  }

  /** Summarises the file (after any summary already running), posting its progress and result; a closed editor's turn is skipped and its run cancelled. */
  private summarize(uri: vscode.Uri, post: (message: ToHeapSummary) => void, closed: vscode.CancellationToken): Promise<void> {
    const file = uri.fsPath;
    const turn = this.queue.then(async () => {
      if (closed.isCancellationRequested) return;
      const info = await stat(file);
      const kept = this.kept.get(file);
      if (kept && kept.mtimeMs === info.mtimeMs && kept.size === info.size) return post({ type: 'summary', file, summary: kept.summary });
      post({ type: 'loading', file, fileSize: info.size });
      const client = await this.client();
      const progress = client.onEvent('heapProgress', (p) => {
        if (p.operation === 'summary') post({ type: 'progress', message: p.message, ...(p.fraction !== undefined ? { fraction: p.fraction } : {}) });
      });
      const cancelOnClose = closed.onCancellationRequested(() => void client.request('cancelHeap', {}).catch(() => undefined));
      const started = Date.now();
      try {
        const { summary } = await client.request('summarizeHeapSnapshot', { file });
        this.keep(file, { mtimeMs: info.mtimeMs, size: info.size, summary });
        this.log.info(`heap summary of ${file}: ${summary.constructors.length} constructors, ${summary.snapshot.nodeCount} nodes, in ${Date.now() - started} ms`);
        post({ type: 'summary', file, summary });
      } finally {
        cancelOnClose.dispose();
        progress.dispose();
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn.catch((err: Error) => {
      const code = err instanceof ServerError ? err.code : (err as NodeJS.ErrnoException).code ?? 'ERROR';
      this.log.warn(`summarizeHeapSnapshot ${file}: ${code}: ${err.message}`);
      const advice = heapErrorAdvice(code);
      post({ type: 'failed', file, code, message: err.message, ...(advice ? { advice } : {}) });
    });
  }

  private keep(file: string, entry: { mtimeMs: number; size: number; summary: HeapSummary }): void {
    this.kept.delete(file);
    this.kept.set(file, entry);
    for (const old of this.kept.keys()) {
      if (this.kept.size <= KEPT_SUMMARIES) break;
      this.kept.delete(old);
    }
  }
}
