/**
 * Kafka's topic name rules as small predicates: ASCII letters, digits, '.', '_' and '-', at most 249
 * characters, not "." or "..". Because metric names turn '.' into '_', two topics whose names differ
 * only there collide; the controller refuses the second one and tools may warn up front.
 * Pure.
 */
export const TOPIC_NAME_LENGTH_MAX = 249;

/** null when the name is legal, else Kafka's explanation. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    return `Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters, topic name: ${name}`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

export function isLegalTopicName(name: string): boolean {
  return topicNameProblem(name) === null;
}

/** Names with '.' or '_' may collide with another topic in metric names; tools warn about them. */
export function mayCollideInMetricNames(name: string): boolean {
  return name.includes('.') || name.includes('_');
}

/** The form under which two names collide: '.' and '_' are the same character. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}
