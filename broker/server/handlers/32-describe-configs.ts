// DescribeConfigs (32), v0-4: read-only, from one image snapshot; each resource answers on its own.
//
// - TOPIC (2): every topic key with its effective value and source (override, dynamic broker,
//   static broker, default); synonyms (v1+, when includeSynonyms) highest precedence first.
//   An illegal name answers INVALID_TOPIC_EXCEPTION, an unknown one UNKNOWN_TOPIC_OR_PARTITION.
// - BROKER (4): this node's id = every broker key with its effective value (static config plus
//   the dynamic cluster default and per-broker configs); "" = only the dynamic cluster-default
//   keys, as Kafka. Another broker id answers INVALID_REQUEST (ask that broker), as Kafka.
//   Synonyms list the layers where the key is set: dynamic broker, dynamic default, static, default.
//   Sensitive values are null.
// - BROKER_LOGGER (8): this node answers an empty list (loggers are not configurable yet).
// - anything else: INVALID_REQUEST.
// configurationKeys filters the keys (null = all; unknown keys are left out, as Kafka).
// documentation only with includeDocumentation (v3+); configType v3+; isDefault is the v0 form of
// configSource.
// Known gaps: broker synonyms do not include related keys (log.retention.hours for
// log.retention.ms) as Kafka's do; BROKER_LOGGER lists no loggers; no authorizer.
import { type BrokerConfig, ConfigSource, type DescribedConfig, describeBrokerConfig } from '../../config/broker-config.js';
import { BROKER_CONFIG_DEFS } from '../../config/definitions.js';
import { effectiveTopicConfig } from '../../config/topic-config.js';
import { effectiveBrokerConfig } from '../../metadata/controller.js';
import { brokerConfigs, topicConfigs, type MetadataImage } from '../../metadata/image.js';
import { topicNameProblem } from '../../metadata/topic-names.js';
import { ErrorCode } from '../../protocol/errors.js';
import { DescribeConfigsRequest, type DescribeConfigsRequestDescribeConfigsResource } from '../../protocol/generated/describe-configs-request.js';
import {
  DescribeConfigsResponse, type DescribeConfigsResponseDescribeConfigsResourceResult, type DescribeConfigsResponseDescribeConfigsResult,
  type DescribeConfigsResponseDescribeConfigsSynonym,
} from '../../protocol/generated/describe-configs-response.js';
import type { Init } from '../../protocol/primitives.js';
import type { Broker } from '../broker.js';
import { defineHandler } from '../handler.js';

const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

type Entry = Init<DescribeConfigsResponseDescribeConfigsResourceResult>;
type Synonym = Init<DescribeConfigsResponseDescribeConfigsSynonym>;

interface DescribeOptions {
  readonly broker: Broker;
  readonly image: MetadataImage;
  readonly includeSynonyms: boolean;
  readonly includeDocumentation: boolean;
}

export const describeConfigsHandler = defineHandler({
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, req) {
    const options: DescribeOptions = {
      broker: ctx.broker,
      image: ctx.broker.image,
      includeSynonyms: req.includeSynonyms,
      includeDocumentation: req.includeDocumentation,
    };
    return { throttleTimeMs: 0, results: req.resources.map((resource) => describeResource(resource, options)) };
  },
});

class ResourceError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

function describeResource(resource: DescribeConfigsRequestDescribeConfigsResource, options: DescribeOptions): Init<DescribeConfigsResponseDescribeConfigsResult> {
  const { resourceType, resourceName } = resource;
  try {
    const entries = entriesOf(resource, options);
    const keys = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
    const configs = keys === null ? entries : entries.filter((e) => keys.has(e.name ?? ''));
    return { errorCode: ErrorCode.NONE, errorMessage: null, resourceType, resourceName, configs };
  } catch (error) {
    if (!(error instanceof ResourceError)) throw error;
    return { errorCode: error.errorCode, errorMessage: error.message, resourceType, resourceName, configs: [] };
  }
}

function entriesOf(resource: DescribeConfigsRequestDescribeConfigsResource, options: DescribeOptions): Entry[] {
  const { broker } = options;
  const name = resource.resourceName;
  const isThisNode = name === String(broker.nodeId);
  switch (resource.resourceType) {
    case ResourceType.TOPIC:
      return topicEntries(name, options);
    case ResourceType.BROKER:
      if (name === '') return brokerEntries(options, 'cluster-default');
      if (isThisNode) return brokerEntries(options, 'this-node');
      throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${name}`);
    case ResourceType.BROKER_LOGGER:
      if (isThisNode) return [];
      throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId}, but received ${name}`);
    default:
      throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType} (TOPIC=2, BROKER=4 and BROKER_LOGGER=8 are supported)`);
  }
}

function brokerWithDynamic(options: DescribeOptions): BrokerConfig {
  return effectiveBrokerConfig(options.image, { nodeId: options.broker.nodeId, defaults: options.broker.config });
}

function topicEntries(name: string, options: DescribeOptions): Entry[] {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new ResourceError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (!options.image.topicsByName.has(name)) throw new ResourceError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  return effectiveTopicConfig(brokerWithDynamic(options), topicConfigs(options.image, name)).map((c) => ({
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    isDefault: c.isDefault,
    configSource: c.source,
    isSensitive: c.isSensitive,
    synonyms: options.includeSynonyms ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })) : [],
    configType: c.configType,
    documentation: options.includeDocumentation ? c.documentation : null,
  }));
}

function brokerEntries(options: DescribeOptions, scope: 'cluster-default' | 'this-node'): Entry[] {
  const { broker, image } = options;
  const clusterDefaults = brokerConfigs(image, null);
  const perBroker = brokerConfigs(image, broker.nodeId);
  let described = describeBrokerConfig(brokerWithDynamic(options));
  if (scope === 'cluster-default') {
    // Only the keys set as cluster-wide dynamic defaults, with those values.
    described = described
      .filter((c) => clusterDefaults.has(c.name))
      .map((c) => ({ ...c, value: c.isSensitive ? null : clusterDefaults.get(c.name)!, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }));
  }
  return described.map((c) => ({
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    isDefault: c.isDefault,
    configSource: c.source,
    isSensitive: c.isSensitive,
    synonyms: options.includeSynonyms ? brokerSynonyms(c, { broker, clusterDefaults, perBroker: scope === 'this-node' ? perBroker : new Map() }) : [],
    configType: c.configType,
    documentation: options.includeDocumentation ? c.documentation : null,
  }));
}

/** Every layer where the key is set, highest precedence first. */
function brokerSynonyms(
  config: DescribedConfig,
  layers: { broker: Broker; clusterDefaults: ReadonlyMap<string, string>; perBroker: ReadonlyMap<string, string> },
): Synonym[] {
  const hide = (value: string | null): string | null => (config.isSensitive ? null : value);
  const synonyms: Synonym[] = [];
  const perBroker = layers.perBroker.get(config.name);
  if (perBroker !== undefined) synonyms.push({ name: config.name, value: hide(perBroker), source: ConfigSource.DYNAMIC_BROKER_CONFIG });
  const clusterDefault = layers.clusterDefaults.get(config.name);
  if (clusterDefault !== undefined) synonyms.push({ name: config.name, value: hide(clusterDefault), source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
  const fixed = layers.broker.config.raw.get(config.name);
  if (fixed !== undefined && fixed.source !== 'default' && fixed.value !== null) {
    synonyms.push({ name: config.name, value: hide(fixed.value), source: ConfigSource.STATIC_BROKER_CONFIG });
  }
  const builtIn = BROKER_CONFIG_DEFS.get(config.name)?.default ?? null;
  if (builtIn !== null) synonyms.push({ name: config.name, value: hide(builtIn), source: ConfigSource.DEFAULT_CONFIG });
  return synonyms;
}
