import { randomUUID } from 'node:crypto';

/** Values a placeholder can take while one repetition of a step runs. */
export interface TemplateContext {
  /** Repetition index, from 0. */
  i: number;
  /** Wall clock in milliseconds (fractional). */
  now(): number;
}

const WHOLE = /^\{\{\s*(now|i|uuid)\s*\}\}$/;
const PART = /\{\{\s*(now|i|uuid)\s*\}\}/g;

function value(name: string, ctx: TemplateContext): number | string {
  if (name === 'now') return ctx.now();
  if (name === 'i') return ctx.i;
  return randomUUID();
}

/**
 * Fills the placeholders of a step's data: a string that is exactly `{{now}}` or `{{i}}` becomes that number,
 * `{{uuid}}` a fresh UUID; inside a longer string each placeholder is replaced by its text.
 */
export function fillTemplate(v: unknown, ctx: TemplateContext): unknown {
  if (typeof v === 'string') {
    const whole = WHOLE.exec(v);
    if (whole) return value(whole[1]!, ctx);
    return v.includes('{{') ? v.replace(PART, (_m, name: string) => String(value(name, ctx))) : v;
  }
  if (Array.isArray(v)) return v.map((x) => fillTemplate(x, ctx));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fillTemplate(x, ctx);
    return out;
  }
  return v;
}
