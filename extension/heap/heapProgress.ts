import * as vscode from 'vscode';
import type { HeapProgress } from '../../server/protocol/protocol';
import type { ServerClient } from '../server/serverClient';
import { progressText } from './heapText';

/**
 * Runs one heap request under a cancellable notification fed by the server's heapProgress events
 * of `operation` (the bar advances with their fractions); Cancel asks the server to cancelHeap,
 * and the request then fails with CANCELLED.
 */
export function withHeapProgress<T>(client: ServerClient, log: vscode.LogOutputChannel, options: { title: string; operation: HeapProgress['operation']; first?: string }, request: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: options.title, cancellable: true }, async (progress, token) => {
    if (options.first) progress.report({ message: options.first });
    let done = 0;
    const subscriptions = [
      client.onEvent('heapProgress', (p) => {
        if (p.operation !== options.operation) return;
        const fraction = p.fraction ?? done;
        progress.report({ message: progressText(p), increment: Math.max(0, fraction - done) * 100 });
        done = Math.max(done, fraction);
      }),
      token.onCancellationRequested(() => void client.request('cancelHeap', {}).catch((err: Error) => log.warn(`cancelHeap: ${err.message}`))),
    ];
    try {
      return await request();
    } finally {
      subscriptions.forEach((s) => s.dispose());
    }
  });
}
