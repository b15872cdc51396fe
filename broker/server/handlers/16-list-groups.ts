// ListGroups (16): every classic group this node coordinates (all of them: single node).
//
// Version mapping: v4+ filter by state and return it; v5+ filter by type ("classic"; this broker
// has no KIP-848 "consumer" or "share" groups, so those filters match nothing) and return it.
// Filters are case-insensitive, as in Kafka. Dead groups are never listed.
// Known gaps: no authorization (Kafka lists only groups the principal may describe).
import { ListGroupsRequest } from '../../protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../protocol/generated/list-groups-response.js';
import { defineHandler } from '../handler.js';

const STATES_FILTER_MIN_VERSION = 4;
const TYPES_FILTER_MIN_VERSION = 5;

export const listGroupsHandler = defineHandler({
  request: ListGroupsRequest,
  response: ListGroupsResponse,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const res = await ctx.broker.groups.call({
      kind: 'listGroups',
      apiVersion: ctx.apiVersion,
      req: {
        statesFilter: ctx.apiVersion >= STATES_FILTER_MIN_VERSION ? req.statesFilter : [],
        typesFilter: ctx.apiVersion >= TYPES_FILTER_MIN_VERSION ? req.typesFilter : [],
      },
    });
    return {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      groups: res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.groupState, groupType: g.groupType })),
    };
  },
});
