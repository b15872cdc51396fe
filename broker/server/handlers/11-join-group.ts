// JoinGroup (11): a member joins a classic group (consumer or any other protocol type). The
// coordinator parks the request until the join phase of the rebalance completes (all known
// members rejoined, the initial delay or the rebalance timeout), so the answer may leave long
// after the request arrived; per-connection ordering holds later requests behind it, as in Kafka.
//
// Version mapping (the coordinator decides v4+ MEMBER_ID_REQUIRED and v9 skipAssignment from
// `apiVersion`): v0 has no rebalance timeout (-1 = the session timeout); v5+ adds static
// membership (groupInstanceId); v7+ returns protocolType and makes protocolName nullable (older
// versions get "" instead of null); v8+ carries a reason, passed on but not acted upon.
// Known gaps: no authorization; the member's client host is the connection's IP address in
// Kafka's "/address" form.
import type { JoinGroupRequest as DomainJoinGroupRequest } from '../../coordinator/types.js';
import { JoinGroupRequest } from '../../protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../../protocol/generated/join-group-response.js';
import { defineHandler } from '../handler.js';
import type { ConnectionInfo } from '../connection.js';

const NULLABLE_PROTOCOL_NAME_MIN_VERSION = 7;
const STATIC_MEMBERSHIP_MIN_VERSION = 5;

export const joinGroupHandler = defineHandler({
  request: JoinGroupRequest,
  response: JoinGroupResponse,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, req) {
    const domain: DomainJoinGroupRequest = {
      groupId: req.groupId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: ctx.apiVersion >= 1 ? req.rebalanceTimeoutMs : -1,
      memberId: req.memberId,
      groupInstanceId: ctx.apiVersion >= STATIC_MEMBERSHIP_MIN_VERSION ? req.groupInstanceId : null,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      reason: req.reason,
    };
    const res = await ctx.broker.groups.call({
      kind: 'join',
      apiVersion: ctx.apiVersion,
      clientId: ctx.header.clientId ?? '',
      clientHost: clientHost(ctx.connection),
      req: domain,
    });
    const nullable = ctx.apiVersion >= NULLABLE_PROTOCOL_NAME_MIN_VERSION;
    return {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      generationId: res.generationId,
      protocolType: res.protocolType,
      protocolName: nullable ? res.protocolName : (res.protocolName ?? ''),
      leader: res.leader,
      skipAssignment: res.skipAssignment,
      memberId: res.memberId,
      members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
});

/** Kafka reports a member's host as `InetAddress.toString()`: "/127.0.0.1". */
export function clientHost(connection: ConnectionInfo): string {
  const address = connection.remoteAddress;
  const colon = address.lastIndexOf(':');
  const host = colon < 0 ? address : address.slice(0, colon);
  return `/${host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host}`;
}
