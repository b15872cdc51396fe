/**
 * Kafka's UUID text form: 16 bytes as URL-safe base64 without padding (22 characters). Pure: the
 * caller supplies the bytes (from its injected random source), so tests and simulations control ids.
 * Kafka reserves the all-zero id (Uuid.ZERO_UUID) and the METADATA topic id (0...01); ids that are
 * not random enough are the caller's concern, but `uuidFromBytes` refuses the two reserved ones.
 */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error(`assertion failed: a uuid is 16 bytes, got ${bytes.length}`);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  if (text === ZERO_UUID || text === METADATA_TOPIC_ID) throw new Error('assertion failed: reserved uuid drawn');
  return text;
}

export function isUuid(text: string): boolean {
  return /^[A-Za-z0-9_-]{21}[AQgw]$/.test(text);
}
