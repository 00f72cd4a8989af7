// Request parameter parsing shared by the routes. Bad input is a 400, never a crash.
import { HttpError } from '../httpError';

export function intParam(value: unknown, name: string, limits: { default: number; min: number; max: number }): number {
  if (value === undefined || value === '') return limits.default;
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw new HttpError(400, `${name} must be an integer`);
  return Math.min(limits.max, Math.max(limits.min, Number.parseInt(text, 10)));
}
