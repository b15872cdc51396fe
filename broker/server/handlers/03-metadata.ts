// Metadata (3), v0-12: brokers (with the endpoint of the listener the client connected on),
// cluster id, controller id and topics with their partitions, from one image snapshot.
//
// Topic selection: v0 empty list = all topics; v1+ null = all topics, empty list = none. Topic ids:
// answered in v10+; asked for by id in v12+ (UNKNOWN_TOPIC_ID when unknown, as Kafka); an id or a
// null name in a v10/v11 request is INVALID_REQUEST, as Kafka. Names are deduplicated.
// Unknown names: an illegal name answers INVALID_TOPIC_EXCEPTION; otherwise, when the request
// allows it (always in v0-3) and auto.create.topics.enable is true, the topic is created with
// num.partitions / default.replication.factor, else UNKNOWN_TOPIC_OR_PARTITION.
//
// Departures from Kafka:
// - Auto-creation is synchronous here (the controller runs in-process and the logs exist once
//   runController returns), so the creating response already describes the new topic with its
//   leader. Kafka answers LEADER_NOT_AVAILABLE first and clients retry; both kafkajs and
//   librdkafka accept either answer. A creation the controller refuses for another reason than a
//   bad name (e.g. replication factor above the live brokers) answers LEADER_NOT_AVAILABLE, as
//   Kafka's asynchronous creation would look, and logs why.
// - Internal topics (`__consumer_offsets`, `__transaction_state`) are never auto-created here:
//   the broker creates `__consumer_offsets` at start-up; `__transaction_state` waits for the
//   transaction coordinator.
// - Authorized operations: no authorizer yet, so a requested bit field lists every operation.
// Known gaps: no per-listener filtering of topics by ACLs; controllerId is this node (single-node
// controller).
import { createTopics } from '../../metadata/controller.js';
import type { MetadataImage, TopicImage } from '../../metadata/image.js';
import { isInternalTopic, topicNameProblem } from '../../metadata/topic-names.js';
import { ZERO_UUID } from '../../metadata/uuid.js';
import { ErrorCode } from '../../protocol/errors.js';
import { MetadataRequest } from '../../protocol/generated/metadata-request.js';
import { MetadataResponse, type MetadataResponseMetadataResponseTopic } from '../../protocol/generated/metadata-response.js';
import type { Init } from '../../protocol/primitives.js';
import { defineHandler, type RequestContext } from '../handler.js';
import {
  AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS_ALL, PartitionRenderer, TOPIC_OPERATIONS_ALL, byName, decideOrFail, liveNodes,
} from './admin-common.js';

type TopicAnswer = Init<MetadataResponseMetadataResponseTopic>;

/** One requested entry, resolved against the image before any auto-creation. */
type Wanted =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'id'; readonly topicId: string }
  | { readonly kind: 'invalid'; readonly name: string | null; readonly topicId: string };

export const metadataHandler = defineHandler({
  request: MetadataRequest,
  response: MetadataResponse,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, req) {
    const { broker, apiVersion } = ctx;
    const isAllTopics = req.topics === null || (apiVersion === 0 && req.topics.length === 0);
    const wanted = isAllTopics ? null : wantedTopics(req.topics ?? [], apiVersion);
    const refused = wanted === null ? new Map<string, number>() : await autoCreate(ctx, wanted, req.allowAutoTopicCreation);
    const image = broker.image;
    const topicOps = req.includeTopicAuthorizedOperations ? TOPIC_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED;
    const renderer = new PartitionRenderer(broker, image, ctx.connection.listenerName);
    const describe = (topic: TopicImage): TopicAnswer => ({
      errorCode: ErrorCode.NONE,
      name: topic.name,
      topicId: topic.topicId,
      isInternal: isInternalTopic(topic.name),
      partitions: topic.partitions.map((p) => renderer.render(topic, p, apiVersion === 0)),
      topicAuthorizedOperations: topicOps,
    });
    const topics = wanted === null
      ? [...image.topicsByName.values()].sort(byName).map(describe)
      : wanted.map((w) => answer(w, { image, describe, topicOps, refused }));
    return {
      throttleTimeMs: 0,
      brokers: liveNodes(broker, image, ctx.connection.listenerName),
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});

function wantedTopics(entries: readonly { topicId: string; name: string | null }[], apiVersion: number): Wanted[] {
  const wanted: Wanted[] = [];
  const seen = new Set<string>();
  for (const { topicId, name } of entries) {
    const hasId = topicId !== ZERO_UUID;
    // Before v12 a topic id or a null name is INVALID_REQUEST (Kafka: "Topic IDs are not supported
    // in requests for version N"); from v12 an entry needs one of the two.
    if ((apiVersion < 12 && (hasId || name === null)) || (!hasId && name === null)) {
      wanted.push({ kind: 'invalid', name, topicId });
      continue;
    }
    const key = hasId ? `id:${topicId}` : `name:${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    wanted.push(hasId ? { kind: 'id', topicId } : { kind: 'name', name: name! });
  }
  return wanted;
}

/**
 * Creates the missing, legal, non-internal names when both the request and the broker allow it.
 * Returns the error to answer for each name whose creation was refused.
 */
async function autoCreate(ctx: RequestContext, wanted: readonly Wanted[], requestAllows: boolean): Promise<Map<string, number>> {
  const refused = new Map<string, number>();
  const { broker } = ctx;
  if (!requestAllows || !broker.config.autoCreateTopicsEnable) return refused;
  const image = broker.image;
  const missing = wanted
    .filter((w): w is { kind: 'name'; name: string } => w.kind === 'name')
    .map((w) => w.name)
    .filter((name) => !image.topicsByName.has(name) && topicNameProblem(name) === null && !isInternalTopic(name));
  if (missing.length === 0) return refused;
  const requests = missing.map((name) => ({ name, numPartitions: -1, replicationFactor: -1 }));
  const results = await decideOrFail<{ name: string; errorCode: number; errorMessage: string | null }>(
    ctx,
    requests.length,
    // Another request may have created some of them meanwhile: those are simply there now.
    (current) => createTopics(current, requests.filter((r) => !current.topicsByName.has(r.name)), broker.controllerContext()),
    (i, failure) => ({ name: missing[i]!, errorCode: failure.errorCode, errorMessage: failure.errorMessage }),
  );
  for (const result of results) {
    if (result.errorCode === ErrorCode.NONE) continue;
    broker.logger.warn(`auto-creation of topic ${result.name} failed: ${result.errorMessage ?? `error ${result.errorCode}`}`);
    refused.set(result.name, result.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.LEADER_NOT_AVAILABLE);
  }
  return refused;
}

interface AnswerContext {
  readonly image: MetadataImage;
  readonly describe: (topic: TopicImage) => TopicAnswer;
  readonly topicOps: number;
  readonly refused: ReadonlyMap<string, number>;
}

function answer(wanted: Wanted, { image, describe, topicOps, refused }: AnswerContext): TopicAnswer {
  const empty = { isInternal: false, partitions: [], topicAuthorizedOperations: topicOps };
  switch (wanted.kind) {
    case 'invalid':
      return { ...empty, errorCode: ErrorCode.INVALID_REQUEST, name: wanted.name, topicId: wanted.topicId };
    case 'id': {
      const topic = image.topicsById.get(wanted.topicId);
      return topic !== undefined ? describe(topic) : { ...empty, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: wanted.topicId };
    }
    case 'name': {
      const topic = image.topicsByName.get(wanted.name);
      if (topic !== undefined) return describe(topic);
      return { ...empty, errorCode: missingTopicError(wanted.name, refused), name: wanted.name, topicId: ZERO_UUID, isInternal: isInternalTopic(wanted.name) };
    }
  }
}

function missingTopicError(name: string, refused: ReadonlyMap<string, number>): number {
  if (topicNameProblem(name) !== null) return ErrorCode.INVALID_TOPIC_EXCEPTION;
  return refused.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}
