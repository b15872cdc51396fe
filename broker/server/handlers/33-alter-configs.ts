// AlterConfigs (33), v0-2, the legacy form: the request's set of configs replaces every override
// of the resource (a key left out goes back to its default). TOPIC (2) and BROKER (4, this node's
// id, a registered broker's id, or "" for the cluster-wide default) resources; each resource
// answers on its own, and a resource with any bad key or value changes nothing (INVALID_CONFIG
// with the reason). validateOnly runs every check and writes nothing. Validation and records come
// from metadata/config-changes.ts.
// Known gaps: BROKER_LOGGER (8) answers INVALID_REQUEST; no alter.config.policy; dynamic broker
// configs are stored and described, but whether a running broker applies them is the Broker's
// business (see broker.ts).
import { alterConfigs, type AlterConfigsResource, type AlterConfigsResult } from '../../metadata/controller.js';
import { AlterConfigsRequest } from '../../protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../../protocol/generated/alter-configs-response.js';
import { defineHandler } from '../handler.js';
import { decideOrFail } from './admin-common.js';

export const alterConfigsHandler = defineHandler({
  request: AlterConfigsRequest,
  response: AlterConfigsResponse,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, req) {
    const { broker } = ctx;
    const resources: AlterConfigsResource[] = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: r.configs.map((c) => ({ name: c.name, value: c.value })),
    }));
    const responses = await decideOrFail(
      ctx,
      resources.length,
      (image) => alterConfigs(image, resources, broker.controllerContext(req.validateOnly)),
      (i, failure): AlterConfigsResult => ({ resourceType: resources[i]!.resourceType, resourceName: resources[i]!.resourceName, ...failure }),
    );
    return { throttleTimeMs: 0, responses };
  },
});
