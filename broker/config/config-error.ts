/**
 * The one error type for bad configuration: unknown keys, values of the wrong type or out of range,
 * and keys that contradict each other. The message is written for the operator who made the
 * mistake: it names the key, the value it got, what was expected and where the value came from.
 * Thrown only while loading configuration (start-up or a dynamic change being validated); request
 * paths turn configuration problems into `INVALID_CONFIG` error codes instead (see topic-config.ts).
 */
export class ConfigError extends Error {
  readonly key: string | null;

  constructor(message: string, key: string | null = null) {
    super(message);
    this.name = 'ConfigError';
    this.key = key;
  }
}
