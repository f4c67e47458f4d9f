/**
 * The reference tokens of an RFC 6901 JSON Pointer, unescaped (`~1` → `/`, `~0` → `~`): `"/questions/q1"` gives
 * `["questions", "q1"]`, and `""` (the whole document) none.
 */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Keys a document operation may not name, by the hub and the SDK alike: they would reach an object's prototype. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
