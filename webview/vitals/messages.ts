// Messages between the live vitals panel and the extension, split by direction.
import type { VitalsAction, VitalsDiagnosis } from '../../server/vitals/vitalsTypes';
import type { VitalsSnapshot, VitalsUpdate } from './vitalsStore';

export type ToVitals =
  /** Everything kept: on the page's `ready` (the first time, and when VS Code reloaded the page). */
  | { type: 'snapshot'; snapshot: VitalsSnapshot; title: string }
  /** One thing that happened since. */
  | { type: 'update'; update: VitalsUpdate };

export type FromVitals =
  | { type: 'ready' }
  /** A snapshot is drawn: what it holds. */
  | { type: 'rendered'; samples: number; blocks: number; charts: number }
  /** Open the file at the line in the editor (a block's marker or list entry). */
  | { type: 'open'; file: string; line: number; column?: number }
  /** A diagnosis's button. */
  | { type: 'action'; rule: VitalsDiagnosis['rule']; action: VitalsAction }
  /** Save everything kept as JSON. */
  | { type: 'export' }
  | { type: 'error'; message: string };
