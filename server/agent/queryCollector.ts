// Gathers the agent's batches of one run into a QueryCapture. Pure: the installer feeds it.
import type { AgentBatch, AgentStatus, CapturedRequest, LeakReport, QueryCapture } from '../queries/captureTypes';

export class QueryCollector {
  private readonly capture: QueryCapture;
  private readonly requestsById = new Map<number, CapturedRequest>();
  private readonly leaksById = new Map<number, LeakReport>();

  constructor(status: AgentStatus, startMs: number) {
    this.capture = { status, statements: [], sites: [], requests: [], pools: [], executions: [], checkouts: [], poolSamples: [], leaks: [], dropped: 0, startMs, endMs: startMs };
  }

  add(batch: AgentBatch): void {
    const c = this.capture;
    c.statements.push(...batch.statements);
    c.sites.push(...batch.sites);
    c.pools.push(...batch.pools);
    for (const request of batch.requests) {
      this.requestsById.set(request.id, request);
      c.requests.push(request);
    }
    for (const { id, endMs, status } of batch.finished) {
      const request = this.requestsById.get(id);
      if (request) Object.assign(request, { endMs, status });
    }
    for (const e of batch.executions) c.executions.push(e);
    for (const k of batch.checkouts) c.checkouts.push(k);
    for (const s of batch.poolSamples) c.poolSamples.push(s);
    for (const leak of batch.leaks) this.leaksById.set(leak.id, { ...this.leaksById.get(leak.id), ...leak });
    c.dropped += batch.dropped;
    c.endMs = Math.max(c.endMs, batch.atMs);
  }

  /** What was gathered so far (the same object grows as batches arrive). */
  result(): QueryCapture {
    this.capture.leaks = [...this.leaksById.values()];
    return this.capture;
  }
}
