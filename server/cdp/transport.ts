import WebSocket from 'ws';

/** Why a transport closed: the WebSocket close code and reason, or the error that broke it. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** One WebSocket to an inspector. Messages are strings; nothing here knows CDP. */
export class WebSocketTransport {
  private closed?: CloseInfo;
  private readonly closeListeners: Array<(info: CloseInfo) => void> = [];
  onMessage: (message: string) => void = () => {};

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', (code, reason) => this.markClosed({ code, reason: reason.toString() }));
    ws.on('error', (err) => this.markClosed({ code: 1006, reason: err.message }));
  }

  static connect(url: string, timeoutMs = 5000): Promise<WebSocketTransport> {
    return new Promise((resolve, reject) => {
      // CPU profiles of long runs and heap snapshot chunks are big: allow large frames.
      const ws = new WebSocket(url, { maxPayload: 1024 * 1024 * 1024, perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const fail = (err: Error) => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(new Error(`could not connect to the inspector at ${url}: ${err.message}`));
      };
      ws.once('error', fail);
      ws.once('open', () => {
        ws.off('error', fail);
        resolve(new WebSocketTransport(ws));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  send(message: string): void {
    if (this.closed) throw new Error(`the inspector connection is closed (${this.closed.code} ${this.closed.reason})`.trim());
    this.ws.send(message);
  }

  onClose(listener: (info: CloseInfo) => void): void {
    if (this.closed) listener(this.closed);
    else this.closeListeners.push(listener);
  }

  /** Closes the socket and resolves once it is closed (or after a short grace period). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 1000);
      this.onClose(() => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close();
    });
  }

  private markClosed(info: CloseInfo): void {
    if (this.closed) return;
    this.closed = info;
    for (const listener of this.closeListeners.splice(0)) listener(info);
  }
}
