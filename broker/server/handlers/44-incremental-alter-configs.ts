// IncrementalAlterConfigs (44), v0-1: per-key SET (0), DELETE (1), APPEND (2) and SUBTRACT (3)
// on TOPIC (2) and BROKER (4, this node's id, a registered broker's id, or "" for the cluster-wide
// default) resources. APPEND/SUBTRACT work on list keys only and start from the effective value.
// The resulting overrides are validated as a whole; a resource with any bad operation changes
// nothing. Each resource answers on its own; validateOnly writes nothing. Validation and records
// come from metadata/config-changes.ts.
// Known gaps: BROKER_LOGGER (8) answers INVALID_REQUEST (log levels are not changeable at run
// time yet); no alter.config.policy; whether a running broker applies dynamic broker configs is
// the Broker's business (see broker.ts).
import {
  incrementalAlterConfigs, type AlterConfigsResult, type IncrementalAlterConfigsResource,
} from '../../metadata/controller.js';
import { IncrementalAlterConfigsRequest } from '../../protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../protocol/generated/incremental-alter-configs-response.js';
import { defineHandler } from '../handler.js';
import { decideOrFail } from './admin-common.js';

export const incrementalAlterConfigsHandler = defineHandler({
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, req) {
    const { broker } = ctx;
    const resources: IncrementalAlterConfigsResource[] = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: r.configs.map((c) => ({ name: c.name, configOperation: c.configOperation, value: c.value })),
    }));
    const responses = await decideOrFail(
      ctx,
      resources.length,
      (image) => incrementalAlterConfigs(image, resources, broker.controllerContext(req.validateOnly)),
      (i, failure): AlterConfigsResult => ({ resourceType: resources[i]!.resourceType, resourceName: resources[i]!.resourceName, ...failure }),
    );
    return { throttleTimeMs: 0, responses };
  },
});
