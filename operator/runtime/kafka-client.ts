// The operator's connection to a Kafka cluster: one internal client per reconcile, with connect and
// request timeouts equal to the reconcile's deadline for Kafka calls (see deadline.ts).
import { KafkaClient } from '../../broker/client/client.js';

export function operatorKafkaClient(bootstrapServers: readonly string[], options: { timeoutMs: number; clientId?: string | undefined }): KafkaClient {
  return new KafkaClient({
    bootstrapServers: [...bootstrapServers],
    clientId: options.clientId ?? 'tributary-operator',
    connectTimeoutMs: options.timeoutMs,
    requestTimeoutMs: options.timeoutMs,
  });
}
