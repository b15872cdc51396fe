/**
 * Conveniences for tests and tools that build a `LogConfig` by hand. The type has one definition,
 * in `broker/config/topic-config.ts`, next to the topic keys it is parsed from; these defaults are
 * that module's answer for a topic with no overrides on a broker with Kafka's defaults
 * (`segment.bytes` 1 GiB, `retention.ms` 7 days, `flush.*` never, ...), so they cannot drift.
 */

import { loadBrokerConfig } from '../config/broker-config.js';
import { type LogConfig, toLogConfig } from '../config/topic-config.js';

export const defaultLogConfig: Readonly<LogConfig> = Object.freeze(toLogConfig(loadBrokerConfig(), new Map()));

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...defaultLogConfig, ...overrides };
}
