/**
 * The `tributary.io/applied-config` annotation: which topic config keys this resource has set in
 * Kafka, and to what (a fingerprint of each value).
 *
 * Why: the planner must tell apart "the spec changed" (always applied, whatever the driftPolicy)
 * from "Kafka changed behind our back" (drift: Enforce undoes it, Report lists it, Ignore leaves
 * it), and must delete only the keys it set itself when they leave the spec (never keys somebody
 * else set on an adopted topic). The status cannot hold this (its schema has no field for it and
 * the API server prunes unknown status fields), and it must survive the status being rebuilt, so
 * it lives in an annotation that the operator owns through server-side apply.
 *
 * The annotation also marks ownership: present = this resource created or adopted the topic (it is
 * written before a CreateTopics call, see plan.ts).
 *
 * Format: a JSON object, key -> fingerprint. A fingerprint is the value itself when short, else
 * `fnv1a64:<16 hex digits>` of its UTF-8 bytes, so 256 keys of 4 KiB values stay far below the
 * API server's 256 KiB annotation budget. Change detection only, not security.
 *
 * Pure.
 */

export const APPLIED_CONFIG_ANNOTATION = 'tributary.io/applied-config';

/** Key -> fingerprint of the value this resource last set in Kafka. */
export type AppliedConfig = Readonly<Record<string, string>>;

const VERBATIM_LENGTH_MAX = 64;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/** The value itself when short, else a 64-bit FNV-1a hash of it. */
export function fingerprint(value: string): string {
  if (value.length <= VERBATIM_LENGTH_MAX) return value;
  let hash = FNV_OFFSET;
  for (const byte of encoder.encode(value)) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return `fnv1a64:${hash.toString(16).padStart(16, '0')}`;
}

/** The fingerprints of a whole config map. */
export function appliedConfigOf(config: Readonly<Record<string, string>>): AppliedConfig {
  const result: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) result[key] = fingerprint(config[key]!);
  return result;
}

/** Reads the annotation; null when absent. A corrupt value reads as "nothing applied". */
export function readAppliedConfig(annotations: Readonly<Record<string, string>> | undefined): AppliedConfig | null {
  const raw = annotations?.[APPLIED_CONFIG_ANNOTATION];
  if (raw === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') result[key] = value;
    return result;
  } catch {
    return {};
  }
}

/** The annotation value for an applied config (keys sorted, so equal maps give equal text). */
export function encodeAppliedConfig(applied: AppliedConfig): string {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(applied).sort()) sorted[key] = applied[key]!;
  return JSON.stringify(sorted);
}
