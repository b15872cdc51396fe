/**
 * Content hashes for change detection (the applied-object and config-hash annotations). Pure, no
 * I/O: JSON with sorted keys, hashed with two 32-bit FNV-1a passes (different offset bases) into 16
 * hex characters. Not a cryptographic hash: it only has to change when the content changes.
 */

/** JSON with object keys sorted at every level, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function fnv1a32(text: string, offsetBasis: number): number {
  let hash = offsetBasis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** 16 hex characters that change whenever `value`'s canonical JSON changes. */
export function contentHash(value: unknown): string {
  const text = canonicalJson(value);
  const high = fnv1a32(text, 0x811c9dc5);
  const low = fnv1a32(text, 0x050c5d1f);
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
