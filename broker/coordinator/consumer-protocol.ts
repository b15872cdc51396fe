/**
 * Just enough of the embedded consumer protocol (`ConsumerProtocolSubscription`, versions 0-3, not
 * flexible) to learn which topics a member subscribes to: int16 version, then an int32-counted
 * array of int16-length strings. The rest (userData, ownedPartitions, generationId, rackId) is not
 * read. Returns null for bytes it cannot parse; Kafka then treats the group as subscribed to
 * every topic, and so do we.
 */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export function subscribedTopics(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  const version = metadata.readInt16BE(0);
  if (version < 0) return null;
  const count = metadata.readInt32BE(2);
  if (count < 0) return null;
  const topics: string[] = [];
  let pos = 6;
  for (let i = 0; i < count; i++) {
    if (pos + 2 > metadata.length) return null;
    const len = metadata.readInt16BE(pos);
    pos += 2;
    if (len < 0 || pos + len > metadata.length) return null;
    topics.push(metadata.toString('utf8', pos, pos + len));
    pos += len;
  }
  return topics;
}

/** Encodes a version-0 subscription with no user data (used by tests and simple tools). */
export function encodeSubscription(topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(6)];
  parts[0]!.writeInt16BE(0, 0);
  parts[0]!.writeInt32BE(topics.length, 2);
  for (const t of topics) {
    const data = Buffer.from(t, 'utf8');
    const len = Buffer.alloc(2);
    len.writeInt16BE(data.length);
    parts.push(len, data);
  }
  const userData = Buffer.alloc(4);
  userData.writeInt32BE(-1);
  parts.push(userData);
  return Buffer.concat(parts);
}
