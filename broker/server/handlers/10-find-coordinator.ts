// FindCoordinator (10): which node coordinates a group. This is a single-node broker, so every
// group's coordinator is this node (it leads every `__consumer_offsets` partition), answered with
// the endpoint of the listener the client connected through.
//
// Versions 0-3 carry one key; 4+ batch them (`coordinatorKeys`), each with its own error.
// Known gaps:
// - Transaction coordinators (keyType 1) are not implemented yet: the answer is
//   COORDINATOR_NOT_AVAILABLE with a message saying so. Clients treat it as retriable, so a
//   transactional producer retries until its own timeout (max.block.ms) rather than failing fast.
// - Share groups (keyType 2, v6) are not supported: INVALID_REQUEST, as for unknown key types.
// - No authorization (GROUP_AUTHORIZATION_FAILED is never returned).
import { ErrorCode } from '../../protocol/errors.js';
import { FindCoordinatorRequest } from '../../protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../protocol/generated/find-coordinator-response.js';
import { defineHandler, type RequestContext } from '../handler.js';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const BATCHED_MIN_VERSION = 4;

interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export const findCoordinatorHandler = defineHandler({
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
  minVersion: 0,
  maxVersion: 6,
  handle(ctx, req) {
    if (ctx.apiVersion >= BATCHED_MIN_VERSION) {
      return { throttleTimeMs: 0, coordinators: req.coordinatorKeys.map((key) => coordinatorFor(ctx, req.keyType, key)) };
    }
    const { errorCode, errorMessage, nodeId, host, port } = coordinatorFor(ctx, req.keyType, req.key);
    return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port };
  },
});

function coordinatorFor(ctx: RequestContext, keyType: number, key: string): Coordinator {
  if (keyType === KEY_TYPE_GROUP) {
    const { host, port } = ctx.broker.advertisedEndpoint(ctx.connection.listenerName);
    return { key, nodeId: ctx.broker.nodeId, host, port, errorCode: ErrorCode.NONE, errorMessage: null };
  }
  if (keyType === KEY_TYPE_TRANSACTION) {
    return noCoordinator(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'transactions are not supported by this broker yet');
  }
  return noCoordinator(key, ErrorCode.INVALID_REQUEST, `unsupported coordinator key type ${keyType} (only consumer groups, key type 0, are served)`);
}

/** Kafka's `Node.noNode()`: id -1, empty host, port -1. */
function noCoordinator(key: string, errorCode: number, errorMessage: string): Coordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}
