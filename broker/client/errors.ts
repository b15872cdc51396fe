/**
 * Errors the internal client raises when a broker answers with an error code.
 *
 * `BrokerError` is a `KafkaError` (so `KafkaError.hasCode` works on it) that also keeps the
 * broker's own `errorMessage` when the response carried one, and the resource it concerns. The CLI
 * prints `userMessage(e)`: the broker's text when present (Kafka's brokers write sentences such as
 * "Topic 'x' already exists."), otherwise the error table's explanation.
 */
import { ErrorCode, KafkaError, errorInfo } from '../protocol/errors.js';

export class BrokerError extends KafkaError {
  /** Kafka's name for the code, e.g. `TOPIC_ALREADY_EXISTS`. */
  readonly errorName: string;
  /** The broker's errorMessage field, when the response has one and it was set. */
  readonly brokerMessage: string | null;
  /** What the error is about (a topic, a group, `topic-partition`), when known. */
  readonly resource: string | null;

  constructor(code: number, brokerMessage: string | null = null, resource: string | null = null) {
    const detail = [resource === null ? null : `(${resource})`, brokerMessage].filter((s) => s !== null).join(' ');
    super(code, detail === '' ? undefined : detail);
    this.errorName = errorInfo(code).name;
    this.brokerMessage = brokerMessage === null || brokerMessage === '' ? null : brokerMessage;
    this.resource = resource;
  }

  /** A one-line explanation for people. */
  get userMessage(): string {
    return this.brokerMessage ?? `${errorInfo(this.code).message.replace(/\.$/, '')}${this.resource === null ? '' : ` (${this.resource})`}.`;
  }
}

/** Throws a `BrokerError` unless `code` is NONE. */
export function throwIfError(code: number, brokerMessage: string | null = null, resource: string | null = null): void {
  if (code !== ErrorCode.NONE) throw new BrokerError(code, brokerMessage, resource);
}

/** True for errors after which a metadata refresh may help (leader moved, topic just created). */
export function isStaleMetadataError(code: number): boolean {
  return (
    code === ErrorCode.NOT_LEADER_OR_FOLLOWER ||
    code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    code === ErrorCode.LEADER_NOT_AVAILABLE ||
    code === ErrorCode.FENCED_LEADER_EPOCH ||
    code === ErrorCode.UNKNOWN_LEADER_EPOCH ||
    code === ErrorCode.UNKNOWN_TOPIC_ID ||
    code === ErrorCode.INCONSISTENT_TOPIC_ID ||
    code === ErrorCode.NOT_CONTROLLER ||
    code === ErrorCode.KAFKA_STORAGE_ERROR ||
    code === ErrorCode.REPLICA_NOT_AVAILABLE
  );
}

/** True for coordinator errors after which the coordinator must be looked up again. */
export function isCoordinatorError(code: number): boolean {
  return code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE;
}

/** A one-line message for any error the client can raise. */
export function userMessage(e: unknown): string {
  if (e instanceof BrokerError) return e.userMessage;
  if (e instanceof Error) return e.message;
  return String(e);
}
