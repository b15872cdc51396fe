/**
 * AlterConfigs and IncrementalAlterConfigs for TOPIC and BROKER resources, as pure controller
 * functions: `{records, results}` out, one Config record per key whose value changes (value null =
 * override removed). The resulting set of overrides is validated as a whole before any record is
 * emitted for the resource: topic keys by topic-config.ts, broker keys by the broker key table
 * (only keys marked dynamic may change) plus a full re-resolution of the broker config for
 * cross-key rules.
 *
 * A BROKER resource is named by a node id, or "" for the cluster-wide default.
 * Legacy AlterConfigs replaces all overrides of the resource; incremental SET/DELETE/APPEND/SUBTRACT
 * edit single keys, APPEND/SUBTRACT only on list keys, starting from the effective value.
 */
import {
  ConfigError, type BrokerConfig, applyDynamicBrokerConfigs, checkDynamicBrokerConfig,
} from '../config/broker-config.js';
import { BROKER_CONFIG_DEFS } from '../config/definitions.js';
import { effectiveTopicConfig, topicConfigType, validateTopicConfigs } from '../config/topic-config.js';
import { parseList } from '../config/values.js';
import type { ControllerContext, ControllerResult } from './controller.js';
import * as E from './error-codes.js';
import { type MetadataImage, brokerConfigs, configResourceKey, topicConfigs } from './image.js';
import { ConfigResourceType, type ConfigResourceTypeCode, type MetadataRecord } from './records.js';

export interface AlterConfigsResource {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly { readonly name: string; readonly value: string | null }[];
}

export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface IncrementalAlterConfigsResource {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly { readonly name: string; readonly configOperation: number; readonly value: string | null }[];
}

export interface AlterConfigsResult {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

type Overrides = Map<string, string>;

class RequestError extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

function fail(errorCode: number, message: string): never {
  throw new RequestError(errorCode, message);
}

/** What a resource edit needs: current overrides, how to compute the new ones, how to validate them. */
type Edit<R> = (resource: R, current: ReadonlyMap<string, string>, target: ResourceTarget) => Overrides;

interface ResourceTarget {
  readonly resourceType: ConfigResourceTypeCode;
  readonly resourceName: string;
  /** Effective value of a key before the change (override, else default), for APPEND/SUBTRACT. */
  readonly effectiveValue: (name: string) => string | null;
}

export function alterConfigs(image: MetadataImage, resources: readonly AlterConfigsResource[], ctx: ControllerContext): ControllerResult<AlterConfigsResult> {
  return changeConfigs(image, resources, ctx, (resource) => {
    const names = resource.configs.map((c) => c.name);
    if (new Set(names).size !== names.length) fail(E.INVALID_REQUEST, 'Error due to duplicate config keys');
    const next: Overrides = new Map();
    for (const { name, value } of resource.configs) if (value !== null) next.set(name, value);
    return next;
  });
}

export function incrementalAlterConfigs(
  image: MetadataImage,
  resources: readonly IncrementalAlterConfigsResource[],
  ctx: ControllerContext,
): ControllerResult<AlterConfigsResult> {
  return changeConfigs(image, resources, ctx, (resource, current, target) => {
    const names = resource.configs.map((c) => c.name);
    if (new Set(names).size !== names.length) fail(E.INVALID_REQUEST, 'Error due to duplicate config keys');
    const next: Overrides = new Map(current);
    for (const op of resource.configs) applyOperation(next, op, target);
    return next;
  });
}

function applyOperation(next: Overrides, op: IncrementalAlterConfigsResource['configs'][number], target: ResourceTarget): void {
  switch (op.configOperation) {
    case AlterConfigOp.SET:
      if (op.value === null) fail(E.INVALID_CONFIG, `Null value not supported for SET of ${op.name}`);
      next.set(op.name, op.value);
      return;
    case AlterConfigOp.DELETE:
      next.delete(op.name);
      return;
    case AlterConfigOp.APPEND:
    case AlterConfigOp.SUBTRACT: {
      const verb = op.configOperation === AlterConfigOp.APPEND ? 'APPEND' : 'SUBTRACT';
      if (keyType(target.resourceType, op.name) !== 'list') fail(E.INVALID_CONFIG, `Can't ${verb} to key ${op.name} because its type is not LIST.`);
      const before = parseList(next.get(op.name) ?? target.effectiveValue(op.name) ?? '');
      const items = parseList(op.value ?? '');
      const after = verb === 'APPEND' ? [...before, ...items.filter((item) => !before.includes(item))] : before.filter((item) => !items.includes(item));
      next.set(op.name, after.join(','));
      return;
    }
    default:
      fail(E.INVALID_REQUEST, `Unknown config operation ${op.configOperation} for ${op.name}`);
  }
}

function keyType(resourceType: ConfigResourceTypeCode, name: string): string | null {
  if (resourceType === ConfigResourceType.TOPIC) return topicConfigType(name);
  return BROKER_CONFIG_DEFS.get(name)?.type ?? null;
}

function changeConfigs<R extends { readonly resourceType: number; readonly resourceName: string }>(
  image: MetadataImage,
  resources: readonly R[],
  ctx: ControllerContext,
  edit: Edit<R>,
): ControllerResult<AlterConfigsResult> {
  const keys = resources.map((r) => `${r.resourceType}:${r.resourceName}`);
  const repeated = new Set(keys.filter((key, i) => keys.indexOf(key) !== i));
  const records: MetadataRecord[] = [];
  const results = resources.map((resource, i): AlterConfigsResult => {
    const result = (errorCode: number, errorMessage: string | null): AlterConfigsResult =>
      ({ resourceType: resource.resourceType, resourceName: resource.resourceName, errorCode, errorMessage });
    try {
      if (repeated.has(keys[i]!)) fail(E.INVALID_REQUEST, `Duplicate resource ${resource.resourceName} in the request`);
      const target = resolveTarget(image, resource, ctx);
      const current = image.configs.get(configResourceKey(target.resourceType, target.resourceName)) ?? new Map<string, string>();
      const next = edit(resource, current, target);
      validate(image, target, next, ctx);
      records.push(...diff(target, current, next));
      return result(E.NONE, null);
    } catch (error) {
      if (error instanceof RequestError) return result(error.errorCode, error.message);
      throw error;
    }
  });
  return { records: ctx.validateOnly === true ? [] : records, results };
}

function resolveTarget(image: MetadataImage, resource: { resourceType: number; resourceName: string }, ctx: ControllerContext): ResourceTarget {
  const { resourceName } = resource;
  if (resource.resourceType === ConfigResourceType.TOPIC) {
    if (!image.topicsByName.has(resourceName)) fail(E.UNKNOWN_TOPIC_OR_PARTITION, `Unknown topic ${resourceName}`);
    const broker = brokerWithDynamic(image, ctx, ctx.nodeId);
    const effective = new Map(effectiveTopicConfig(broker, topicConfigs(image, resourceName)).map((e) => [e.name, e.value]));
    return { resourceType: ConfigResourceType.TOPIC, resourceName, effectiveValue: (name) => effective.get(name) ?? null };
  }
  if (resource.resourceType === ConfigResourceType.BROKER) {
    const isClusterDefault = resourceName === '';
    const brokerId = Number(resourceName);
    if (!isClusterDefault && !(/^\d+$/.test(resourceName) && (brokerId === ctx.nodeId || image.brokers.has(brokerId)))) {
      fail(E.INVALID_REQUEST, `Unexpected broker id, expected ${ctx.nodeId}, a registered broker id or empty string, but received ${resourceName}`);
    }
    const broker = brokerWithDynamic(image, ctx, isClusterDefault ? null : brokerId);
    return { resourceType: ConfigResourceType.BROKER, resourceName, effectiveValue: (name) => broker.raw.get(name)?.value ?? null };
  }
  return fail(E.INVALID_REQUEST, `Unsupported resource type ${resource.resourceType} (only TOPIC=2 and BROKER=4)`);
}

/** The static config with the image's dynamic configs: cluster default, then the given broker's. */
function brokerWithDynamic(image: MetadataImage, ctx: ControllerContext, brokerId: number | null): BrokerConfig {
  return applyDynamicBrokerConfigs(ctx.defaults, {
    clusterDefaults: brokerConfigs(image, null),
    perBroker: brokerId === null ? new Map() : brokerConfigs(image, brokerId),
  });
}

function validate(image: MetadataImage, target: ResourceTarget, next: Overrides, ctx: ControllerContext): void {
  if (target.resourceType === ConfigResourceType.TOPIC) {
    const validation = validateTopicConfigs(next);
    if (!validation.ok) fail(validation.errorCode, validation.message);
    return;
  }
  for (const [name, value] of next) {
    const problem = checkDynamicBrokerConfig(name, value);
    if (problem !== null) fail(E.INVALID_CONFIG, problem);
  }
  const isClusterDefault = target.resourceName === '';
  try {
    applyDynamicBrokerConfigs(ctx.defaults, {
      clusterDefaults: isClusterDefault ? next : brokerConfigs(image, null),
      perBroker: isClusterDefault ? brokerConfigs(image, ctx.nodeId) : next,
    });
  } catch (error) {
    if (error instanceof ConfigError) fail(E.INVALID_CONFIG, error.message);
    throw error;
  }
}

function diff(target: ResourceTarget, current: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  const config = (name: string, value: string | null): MetadataRecord =>
    ({ type: 'Config', resourceType: target.resourceType, resourceName: target.resourceName, name, value });
  for (const [name, value] of next) if (current.get(name) !== value) records.push(config(name, value));
  for (const name of current.keys()) if (!next.has(name)) records.push(config(name, null));
  return records;
}
