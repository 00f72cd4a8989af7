// The three snapshots of a leaking service, by hand, for the leak diff and its text.
import type { GraphSpec } from './heapFixtures';

/**
 * The final snapshot of a service that leaks AuditEntry objects into a module-level array and
 * Session objects into a Map (whose table is an (array), as in Node 20 and 24), and that pools
 * a Parser (allocated over the first load, never again). Ids below 100 existed at the baseline;
 * 1xx were allocated between baseline and target; 2xxx after the target (one more AuditEntry and
 * Session: both kept growing).
 */
export const FINAL: GraphSpec = {
  nodes: [
    { type: 'synthetic', name: '', id: 1, self: 0 },
    { type: 'synthetic', name: '(GC roots)', id: 3, self: 0 },
    { type: 'object', name: 'system / Context', id: 5, self: 40 },
    { type: 'object', name: 'Array', id: 7, self: 16 },
    { type: 'array', name: '(object elements)', id: 101, self: 64 },
    { type: 'object', name: 'AuditEntry', id: 103, self: 40 },
    { type: 'object', name: 'AuditEntry', id: 105, self: 40 },
    { type: 'object', name: 'Details', id: 107, self: 30 },
    { type: 'string', name: 'user-123', id: 109, self: 20 },
    { type: 'object', name: 'WeaklyHeld', id: 111, self: 24 },
    { type: 'hidden', name: 'system / FeedbackCell', id: 113, self: 16 },
    { type: 'object', name: 'CachedResult', id: 115, self: 32 },
    { type: 'object', name: 'Map', id: 9, self: 48 },
    { type: 'array', name: '(object elements)', id: 11, self: 64 },
    { type: 'object', name: 'Session', id: 117, self: 50 },
    { type: 'object', name: 'LateObject', id: 2001, self: 12 },
    { type: 'object', name: 'AuditEntry', id: 2003, self: 40 },
    { type: 'object', name: 'Session', id: 2005, self: 50 },
    { type: 'object', name: 'Parser', id: 123, self: 10 },
  ],
  edges: [
    { from: 0, to: 1, type: 'element', name: 1 },
    { from: 1, to: 2, type: 'element', name: 1 },
    { from: 1, to: 10, type: 'element', name: 2 },
    { from: 2, to: 3, type: 'context', name: 'auditLog' },
    { from: 2, to: 12, type: 'context', name: 'sessions' },
    { from: 2, to: 9, type: 'weak', name: 'ref' },
    { from: 2, to: 15, type: 'context', name: 'late' },
    { from: 3, to: 4, type: 'internal', name: 'elements' },
    { from: 4, to: 5, type: 'element', name: 0 },
    { from: 4, to: 6, type: 'element', name: 1 },
    { from: 5, to: 7, type: 'property', name: 'details' },
    { from: 7, to: 8, type: 'property', name: 'user' },
    { from: 10, to: 11, type: 'internal', name: 'value' },
    { from: 12, to: 13, type: 'internal', name: 'table' },
    { from: 13, to: 14, type: 'internal', name: '3' },
    { from: 4, to: 16, type: 'element', name: 2 },
    { from: 13, to: 17, type: 'internal', name: '7' },
    { from: 2, to: 18, type: 'context', name: 'parsers' },
  ],
};
export const BASELINE = Uint32Array.from([1, 3, 5, 7, 9, 11, 13, 15]);
/** The target also had objects freed before the final snapshot (119, 121). */
export const TARGET = Uint32Array.from([1, 3, 5, 7, 9, 11, 101, 103, 105, 107, 109, 111, 113, 115, 117, 119, 121, 123]);

