// The `vitals` section of a report from what the agent captured over a run: the series, the
// summary, the blocks grouped by place (located by pausing, or from the run's CPU profile) and
// what the figures say is wrong. Pure.
import type { Protocol } from 'devtools-protocol';
import type { ProfileModel } from '../analysis/profileModel';
import type { RouteHandlerSite } from '../analysis/routeHandlerNames';
import type { SourceMapResolver } from '../analysis/sourceMapResolver';
import { diagnoseVitals, type DiagnoseContext } from './diagnoseVitals';
import { groupBlocks } from './groupBlocks';
import { locateBlocksInProfile } from './profileBlocks';
import { summarizeVitals } from './summarizeVitals';
import type { VitalsCapture, VitalsSection } from './vitalsTypes';

export interface BuildVitalsOptions {
  resolver?: SourceMapResolver;
  /** The workspace's route handlers, to name anonymous handlers and set the blocks' endpoints. */
  routeHandlers?: readonly RouteHandlerSite[];
  /** The run's CPU profile (merged from its chunks), or its model, to locate the blocks the pause did not. */
  profile?: Protocol.Profiler.Profile | ProfileModel;
  /** The profile's hottest function, for the cpu-bound finding's next step. */
  hottest?: DiagnoseContext['hottest'];
  /** Paths inside this folder are shown relative to it in the diagnosis. */
  cwd?: string;
}

export function buildVitalsSection(capture: VitalsCapture, options: BuildVitalsOptions = {}): VitalsSection {
  const warnings = [...capture.warnings];
  let blocks = capture.blocks;
  if (options.profile && blocks.length > 0) {
    const found = locateBlocksInProfile(blocks, options.profile, { lineCount: options.resolver && ((url) => options.resolver!.generatedLineCount(url)) });
    blocks = found.blocks;
    if (found.gcDominated > 0) {
      warnings.push(`${found.gcDominated === 1 ? '1 block was' : `${found.gcDominated} blocks were`} mostly garbage collection in the CPU profile: see the GC figures and take heap snapshots`);
    }
  }
  const unlocated = blocks.filter((b) => b.location.source === 'none').length;
  if (unlocated > 0 && !capture.status.pauseCapture && !options.profile) {
    warnings.push(`${unlocated === 1 ? '1 block is' : `${unlocated} blocks are`} not located: naming blocks by pausing the thread was off and no CPU profile was taken`);
  }

  const series = [...capture.samples].sort((a, b) => a.atMs - b.atMs);
  const gcPauses = [...capture.gcPauses].sort((a, b) => a.atMs - b.atMs);
  const summary = summarizeVitals(series, gcPauses, blocks);
  const groups = groupBlocks(blocks, { resolver: options.resolver, routeHandlers: options.routeHandlers });
  const context: DiagnoseContext = {};
  if (options.hottest) context.hottest = options.hottest;
  if (options.cwd !== undefined) context.cwd = options.cwd;
  return {
    status: capture.status,
    blockThresholdMs: capture.options.blockThresholdMs,
    series,
    gcPauses,
    summary,
    blocks: groups,
    diagnosis: diagnoseVitals(summary, series, groups, context),
    warnings,
  };
}
