// DescribeCluster (60), v0-1: the live brokers with their endpoint for the listener the client
// connected on, the cluster id and the controller id (this node: the single-node controller).
// endpointType (v1): 1 (brokers) is answered; 2 (controllers) answers MISMATCHED_ENDPOINT_TYPE,
// as a Kafka broker does (controller listeners are not served to clients here); any other value
// UNSUPPORTED_ENDPOINT_TYPE. clusterAuthorizedOperations lists every operation when asked for
// (no authorizer yet).
// Known gaps: no authorizer; no controller endpoint type.
import { ErrorCode } from '../../protocol/errors.js';
import { DescribeClusterRequest } from '../../protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../protocol/generated/describe-cluster-response.js';
import { defineHandler } from '../handler.js';
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS_ALL, liveNodes } from './admin-common.js';

const EndpointType = { BROKER: 1, CONTROLLER: 2 } as const;

export const describeClusterHandler = defineHandler({
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const { broker } = ctx;
    const base = { throttleTimeMs: 0, endpointType: EndpointType.BROKER, clusterId: broker.clusterId, controllerId: broker.nodeId };
    if (ctx.apiVersion >= 1 && req.endpointType !== EndpointType.BROKER) {
      const errorCode = req.endpointType === EndpointType.CONTROLLER ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE;
      const errorMessage = req.endpointType === EndpointType.CONTROLLER
        ? 'The request was sent to a broker endpoint, but controller endpoints were asked for'
        : `Unknown endpoint type ${req.endpointType}`;
      return { ...base, errorCode, errorMessage, brokers: [] };
    }
    return {
      ...base,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      brokers: liveNodes(broker, broker.image, ctx.connection.listenerName).map((n) => ({ brokerId: n.nodeId, host: n.host, port: n.port, rack: n.rack })),
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS_ALL : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
