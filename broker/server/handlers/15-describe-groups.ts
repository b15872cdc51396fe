// DescribeGroups (15): state, protocol and members of classic groups. An unknown group is
// described as state "Dead" with error NONE (Kafka's answer up to v5; v6 would say
// GROUP_ID_NOT_FOUND). Member metadata and assignments are shown only for Stable groups.
//
// Version mapping: v3+ may ask for authorized operations; v4+ members carry groupInstanceId.
// Without an authorizer every group operation is allowed, so a v3+ request that asks gets READ,
// DELETE and DESCRIBE (what Kafka reports with no authorizer configured); otherwise the field is
// Kafka's "omitted" value.
// Known gaps: no authorization.
import { DescribeGroupsRequest } from '../../protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../../protocol/generated/describe-groups-response.js';
import { defineHandler } from '../handler.js';

const AUTHORIZED_OPERATIONS_MIN_VERSION = 3;
/** AclOperation codes: READ 3, DELETE 6, DESCRIBE 8, as a bit field. */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

export const describeGroupsHandler = defineHandler({
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, req) {
    const wantsOperations = ctx.apiVersion >= AUTHORIZED_OPERATIONS_MIN_VERSION && req.includeAuthorizedOperations;
    const res = await ctx.broker.groups.call({
      kind: 'describeGroups',
      apiVersion: ctx.apiVersion,
      req: { groups: req.groups, includeAuthorizedOperations: wantsOperations },
    });
    return {
      throttleTimeMs: 0,
      groups: res.groups.map((g) => ({
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.groupState,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.memberMetadata,
          memberAssignment: m.memberAssignment,
        })),
        authorizedOperations: wantsOperations && g.groupState !== 'Dead' ? GROUP_OPERATIONS : g.authorizedOperations,
      })),
    };
  },
});
