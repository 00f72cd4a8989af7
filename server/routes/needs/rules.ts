// Validator rules by name, shared by class-validator decorators (`@IsInt()`, `@Min(1)`) and
// express-validator chains / checkSchema (`.isInt({ min: 1 })`, `isEmail: true`): what each says
// about a field's schema and presence. Names are compared lower-cased. Pure: no I/O.
import { isPlainObject, type JsonSchema } from './schema';

export interface RuleState {
  schema: JsonSchema;
  /** Some validator ran (so a missing value fails, unless optional). */
  validated: boolean;
  /** Explicitly required (notEmpty, exists, IsDefined). */
  required: boolean;
  optional: boolean;
}

export function newRuleState(): RuleState {
  return { schema: {}, validated: false, required: false, optional: false };
}

const FORMAT_RULES: Record<string, string> = {
  isemail: 'email',
  isuuid: 'uuid',
  isurl: 'uri',
  isiso8601: 'date-time',
  isdatestring: 'date-time',
  isdate: 'date-time',
  isrfc3339: 'date-time',
  isip: 'ipv4',
  isfqdn: 'hostname',
};

/** Non-validating steps (sanitizers and modifiers): they do not make a missing value fail. */
const NEUTRAL = new Set(['trim', 'ltrim', 'rtrim', 'escape', 'unescape', 'toint', 'tofloat', 'toboolean', 'todate', 'normalizeemail', 'tolowercase', 'touppercase', 'blacklist', 'whitelist', 'striplow', 'customsanitizer', 'replace', 'bail', 'withmessage', 'errormessage', 'if', 'type', 'transform', 'expose', 'exclude', 'apiproperty', 'apipropertyoptional', 'apihideproperty', 'in', 'validatenested', 'run', 'not']);

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** Applies one rule; `args` are its evaluated arguments (checkSchema: [options]). `negated`: after `.not()`. */
export function applyRule(state: RuleState, rawName: string, args: unknown[], negated = false): void {
  const name = rawName.toLowerCase();
  const s = state.schema;
  const options = isPlainObject(args[0]) ? args[0] : undefined;
  if (negated) {
    if (name === 'isempty') {
      state.required = true;
      state.validated = true;
    }
    return;
  }
  if (name === 'optional' || name === 'isoptional' || name === 'validateif') {
    state.optional = true;
    return;
  }
  if (name === 'apiproperty' || name === 'apipropertyoptional') {
    if (options) {
      if (options.example !== undefined) s.example = options.example;
      if (typeof options.description === 'string') s.description = options.description;
      if (options.default !== undefined) s.default = options.default;
      if (Array.isArray(options.enum)) s.enum = options.enum;
      if (options.required === false) state.optional = true;
      if (typeof options.format === 'string') s.format = options.format;
      if (typeof options.minimum === 'number') s.minimum = options.minimum;
    }
    if (name === 'apipropertyoptional') state.optional = true;
    return;
  }
  if (name === 'default') {
    if (args[0] !== undefined) s.default = args[0];
    state.optional = true;
    return;
  }
  if (NEUTRAL.has(name)) return;
  state.validated = true;
  const format = FORMAT_RULES[name];
  if (format) {
    s.type = 'string';
    s.format = format;
    return;
  }
  switch (name) {
    case 'notempty':
    case 'isnotempty':
    case 'exists':
    case 'isdefined':
      state.required = true;
      if (s.type === undefined || s.type === 'string') s.minLength = Math.max(1, s.minLength ?? 0);
      return;
    case 'isstring':
    case 'isalpha':
    case 'isalphanumeric':
    case 'isascii':
    case 'matches':
    case 'contains':
      s.type ??= 'string';
      return;
    case 'isint':
    case 'isinteger':
      s.type = 'integer';
      if (options) setRange(s, options);
      return;
    case 'isnumber':
    case 'isnumeric':
    case 'isfloat':
    case 'isdecimal':
      s.type = 'number';
      if (options) setRange(s, options);
      return;
    case 'isnumberstring':
      s.type = 'string';
      s.example ??= '1';
      return;
    case 'isboolean':
    case 'isbooleanstring':
      s.type = 'boolean';
      return;
    case 'isarray':
      s.type = 'array';
      return;
    case 'isobject':
    case 'isnotemptyobject':
      s.type = 'object';
      return;
    case 'isin':
      if (Array.isArray(args[0]) && args[0].length) s.enum = args[0];
      return;
    case 'isenum':
      if (Array.isArray(args[0]) && args[0].length) s.enum = args[0];
      else if (isPlainObject(args[0])) {
        const values = Object.values(args[0]).filter((v) => typeof v === 'string' || typeof v === 'number');
        if (values.length) s.enum = values;
      }
      return;
    case 'equals':
      if (args[0] !== undefined) s.const = args[0];
      return;
    case 'min': {
      const n = num(args[0]);
      if (n !== undefined) s.minimum = n;
      s.type ??= 'number';
      return;
    }
    case 'max': {
      const n = num(args[0]);
      if (n !== undefined) s.maximum = n;
      s.type ??= 'number';
      return;
    }
    case 'ispositive':
      s.type ??= 'number';
      s.exclusiveMinimum = 0;
      return;
    case 'minlength': {
      const n = num(args[0]);
      if (n !== undefined) s.minLength = n;
      return;
    }
    case 'maxlength': {
      const n = num(args[0]);
      if (n !== undefined) s.maxLength = n;
      return;
    }
    case 'length':
    case 'islength': {
      const min = options ? num(options.min) : num(args[0]);
      const max = options ? num(options.max) : num(args[1]);
      if (min !== undefined) s.minLength = min;
      if (max !== undefined) s.maxLength = max;
      s.type ??= 'string';
      return;
    }
    case 'arraynotempty':
      s.type = 'array';
      state.required = true;
      return;
    default:
      return;
  }
}

function setRange(s: JsonSchema, options: Record<string, unknown>): void {
  const min = num(options.min ?? options.gte);
  const max = num(options.max ?? options.lte);
  if (min !== undefined) s.minimum = min;
  if (max !== undefined) s.maximum = max;
  const gt = num(options.gt);
  if (gt !== undefined) s.exclusiveMinimum = gt;
}

/** Is a field with these rules required: explicitly, or validated and not optional. */
export function ruleRequired(state: RuleState): boolean {
  return !state.optional && (state.required || state.validated);
}
