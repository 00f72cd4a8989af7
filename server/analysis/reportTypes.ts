import type { LoadSummary } from '../load/loadTypes';
import type { CodeOrigin } from './codeOrigin';
import type { ProfileSummary } from './headline';
import type { QueriesSection } from '../queries/queryReportTypes';
import type { VitalsSection } from '../vitals/vitalsTypes';

/** Bump when a field changes meaning or disappears; adding fields does not need a bump. */
export const REPORT_VERSION = 1;

/** CPU time the target used over a stretch of wall time (measured while the load ran). */
export interface CpuBusy {
  /** The process's CPU time (user + system, all its threads), ms. */
  cpuMs: number;
  wallMs: number;
  /** How long its main thread waited for a CPU while runnable (Linux schedstat), ms, when known. */
  runQueueMs?: number;
}

export interface FunctionCost {
  name: string;
  /** Original source path (absolute) when a source map resolves it, else the script's path or URL. */
  file: string;
  /** 1-based line in `file`. */
  line: number;
  /** 1-based column in `file`. */
  column: number;
  selfMs: number;
  totalMs: number;
  /** selfMs / profile duration. */
  selfShare: number;
  totalShare: number;
  /** Samples whose top frame is this function. */
  samples: number;
  /** True when `file`/`line` come from a source map. */
  mapped: boolean;
  /** Whose code it is: the user's own, a dependency, Node.js, or V8's own work. */
  origin: CodeOrigin;
  /** The npm package, for a dependency. */
  package?: string;
}

export interface LineCost {
  file: string;
  /** 1-based. */
  line: number;
  selfMs: number;
  selfShare: number;
  samples: number;
  mapped: boolean;
  /** The function the line belongs to (its name), for display. */
  functionName: string;
  /** True when the profile had no per-line ticks for (part of) this time: it sits on the function's declaration line. */
  approximated?: boolean;
  origin: CodeOrigin;
  package?: string;
}

export interface ProfileReport {
  version: typeof REPORT_VERSION;
  /** What was profiled: a command line, a PID, an inspector URL or a file name. */
  target: string;
  /** Present when load was generated during profiling. */
  load?: LoadSummary;
  profile: {
    durationMs: number;
    samples: number;
    /** Mean interval between samples, µs. */
    samplingIntervalUs: number;
    /** Share of the duration spent idle. */
    idleShare: number;
    /** The target's CPU time ÷ wall time while the load ran (all its threads), when it could be read. */
    cpuBusyShare?: number;
  };
  /** The verdict and the sentence to lead with, the hottest function and line of the user's own code, time by origin. */
  summary: ProfileSummary;
  functions: FunctionCost[];
  lines: LineCost[];
  /** What the service sent to PostgreSQL during the run (absent when query capture was off). */
  queries?: QueriesSection;
  /** The service's event loop, GC, memory and CPU during the run, and its blocks (absent when vitals were off). */
  vitals?: VitalsSection;
  /** Things the user should know: missing source maps, approximated lines, a target that died. */
  warnings: string[];
}
