// GET /leak: a memory leak. Every request adds an AuditEntry (about 20 KB) to a module-level
// list that nothing ever trims: the heap grows for as long as the process serves requests.
import { Router } from 'express';

export class AuditEntry {
  readonly at = Date.now();
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string | string[] | undefined>,
    /** per-request timings kept "for later analysis": 2,048 doubles, 16 KB */
    readonly samples: number[],
  ) {}
}

const APPROX_ENTRY_BYTES = 20 * 1024;
const SAMPLES_PER_ENTRY = 2_048;

const auditLog: AuditEntry[] = [];

export function leakRoutes(): Router {
  const router = Router();

  router.get('/leak', (req, res) => {
    const samples = new Array<number>(SAMPLES_PER_ENTRY);
    const base = performance.now();
    for (let i = 0; i < SAMPLES_PER_ENTRY; i++) samples[i] = base + i * 0.5;
    auditLog.push(new AuditEntry(req.method, req.originalUrl, { ...req.headers }, samples));
    res.json({
      retained: auditLog.length,
      retainedBytesApprox: auditLog.length * APPROX_ENTRY_BYTES,
      heapUsedBytes: process.memoryUsage().heapUsed,
    });
  });

  return router;
}
