// SyncGroup (14): members of a generation fetch their assignment; the leader's request carries
// everybody's. Followers are parked until the leader's SyncGroup arrives (or the rebalance fails),
// so the answer may leave later than the request.
//
// Version mapping: v3+ static membership (groupInstanceId); v5+ protocolType/protocolName, which
// the coordinator checks against the group's when present (null for older versions skips it).
// Known gaps: no authorization.
import { SyncGroupRequest } from '../../protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../../protocol/generated/sync-group-response.js';
import { defineHandler } from '../handler.js';

const STATIC_MEMBERSHIP_MIN_VERSION = 3;
const PROTOCOL_CHECK_MIN_VERSION = 5;

export const syncGroupHandler = defineHandler({
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const checksProtocol = ctx.apiVersion >= PROTOCOL_CHECK_MIN_VERSION;
    const res = await ctx.broker.groups.call({
      kind: 'sync',
      apiVersion: ctx.apiVersion,
      req: {
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: ctx.apiVersion >= STATIC_MEMBERSHIP_MIN_VERSION ? req.groupInstanceId : null,
        protocolType: checksProtocol ? req.protocolType : null,
        protocolName: checksProtocol ? req.protocolName : null,
        assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      },
    });
    return {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      protocolType: res.protocolType,
      protocolName: res.protocolName,
      assignment: res.assignment,
    };
  },
});
