import type { KubeObjectMeta } from '../kube/api.js';
/**
 * `tributary.io/v1alpha1`: the KafkaCluster and KafkaTopic APIs — schema, CRDs and TypeScript types
 * from one description (STYLE rule 18).
 *
 * Single source of truth: each kind's schema is written once below with small builders (`str`,
 * `int`, `obj`, ...). From that one value come
 *   - the OpenAPI v3 schema, CEL rules, printer columns and names of the CRD (`kafkaClusterCrd`,
 *     `kafkaTopicCrd`), which `tools/gen-crds.ts` writes to `crds/*.yaml` (generated, marked,
 *     drift-checked with `--check`; never edit the YAML by hand);
 *   - the TypeScript types, inferred from the builders' phantom types: `KafkaClusterSpec` is what a
 *     reader of the API server gets (defaulted fields are present), `KafkaClusterSpecInput` what a
 *     writer may send (defaulted fields optional).
 * A field therefore cannot exist in the types without being in the CRD, or the other way round.
 *
 * Conventions: every field has a description (it is what `kubectl explain` shows); every string,
 * list and map has a bound (TIGER_STYLE "put a limit on everything", and it keeps CEL cost estimates
 * under the API server's budget); invariants the API server can check are CEL rules here, everything
 * that needs the cluster (known broker config keys, replication factor vs. brokers) is checked by the
 * operator and reported as a condition.
 *
 * Departures from Kafka: broker and topic config values are strings, as in `server.properties` and
 * the Admin API (`num.partitions: "3"`), not YAML numbers or booleans.
 *
 * This module has no runtime dependencies and performs no I/O.
 */

export const GROUP = 'tributary.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

// ---------------------------------------------------------------------------------------------
// Schema builders. A `Field<Stored, Input, Presence>` carries a JSON schema at run time and, as
// phantom types, the TypeScript type of the value as read (`Stored`) and as written (`Input`).
// Presence decides optionality: 'required' fields are always there; 'defaulted' ones are filled by
// the API server, so they are optional to write but always there to read; 'optional' may be absent.

type Presence = 'required' | 'defaulted' | 'optional';

/** The subset of OpenAPI v3 (plus Kubernetes extensions) that a structural CRD schema uses here. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description?: string;
  format?: string;
  enum?: readonly string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** A CEL rule, as `x-kubernetes-validations` holds it. Rules using `oldSelf` are transition rules. */
export interface ValidationRule {
  rule: string;
  message: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
}

export class Field<Stored, Input, P extends Presence> {
  /** Phantom: the value's type as read from the API server. Never set at run time. */
  declare readonly stored: Stored;
  /** Phantom: the value's type as written by a client. Never set at run time. */
  declare readonly input: Input;

  constructor(
    readonly schema: JsonSchema,
    readonly presence: P,
  ) {}

  /** The field must be present (listed in the parent's `required`). */
  required(): Field<Stored, Input, 'required'> {
    return new Field(this.schema, 'required');
  }

  /** The API server fills `value` in when the field is absent. */
  withDefault(value: Input): Field<Stored, Input, 'defaulted'> {
    return new Field({ ...this.schema, default: value }, 'defaulted');
  }

  /** Adds a CEL rule (`x-kubernetes-validations`) evaluated with `self` bound to this field. */
  rule(rule: string, message: string, extra: Omit<ValidationRule, 'rule' | 'message'> = {}): Field<Stored, Input, P> {
    const rules = [...(this.schema['x-kubernetes-validations'] ?? []), { rule, message, ...extra }];
    return new Field({ ...this.schema, 'x-kubernetes-validations': rules }, this.presence);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Field, whatever its value types
type AnyField = Field<any, any, Presence>;
type Shape = Record<string, AnyField>;
type Flatten<T> = { [K in keyof T]: T[K] } & {};
type KeysWhere<S extends Shape, P extends Presence> = { [K in keyof S]: S[K]['presence'] extends P ? K : never }[keyof S];

/** An object as read: required and defaulted keys are present. */
export type StoredObject<S extends Shape> = Flatten<
  { [K in KeysWhere<S, 'required' | 'defaulted'>]: S[K]['stored'] } & {
    [K in KeysWhere<S, 'optional'>]?: S[K]['stored'];
  }
>;
/** An object as written: only required keys must be present. */
export type InputObject<S extends Shape> = Flatten<
  { [K in KeysWhere<S, 'required'>]: S[K]['input'] } & {
    [K in KeysWhere<S, 'defaulted' | 'optional'>]?: S[K]['input'];
  }
>;
export type StoredOf<F extends AnyField> = F['stored'];
export type InputOf<F extends AnyField> = F['input'];

interface StringOptions {
  pattern?: string;
  minLength?: number;
  maxLength: number;
  format?: string;
}

export function str(description: string, options: StringOptions): Field<string, string, 'optional'> {
  return new Field({ type: 'string', description, ...options }, 'optional');
}

export function oneOf<const V extends readonly string[]>(description: string, values: V): Field<V[number], V[number], 'optional'> {
  return new Field({ type: 'string', description, enum: values }, 'optional');
}

export function int(description: string, options: { minimum?: number; maximum: number; format?: 'int32' | 'int64' }): Field<number, number, 'optional'> {
  return new Field({ type: 'integer', format: 'int32', description, ...options }, 'optional');
}

export function bool(description: string): Field<boolean, boolean, 'optional'> {
  return new Field({ type: 'boolean', description }, 'optional');
}

/** An RFC 3339 timestamp, as `metav1.Time` serialises. */
export function timestamp(description: string): Field<string, string, 'optional'> {
  return new Field({ type: 'string', format: 'date-time', description }, 'optional');
}

/** A Kubernetes resource quantity ("10Gi", "500m", 2): the API server keeps it as written. */
export function quantity(description: string): Field<string | number, string | number, 'optional'> {
  return new Field(
    {
      description,
      // Structural schemas allow exactly this anyOf for int-or-string; constraints go beside it.
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
      'x-kubernetes-int-or-string': true,
    },
    'optional',
  );
}
// The pattern Kubernetes' own schemas publish for resource.Quantity.
const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export function obj<S extends Shape>(description: string, shape: S): Field<StoredObject<S>, InputObject<S>, 'optional'> {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    properties[name] = field.schema;
    if (field.presence === 'required') required.push(name);
  }
  const schema: JsonSchema = { type: 'object', description, properties };
  if (required.length > 0) schema.required = required;
  return new Field(schema, 'optional');
}

export function mapOf<F extends AnyField>(
  description: string,
  value: F,
  options: { maxProperties: number },
): Field<Record<string, F['stored']>, Record<string, F['input']>, 'optional'> {
  return new Field({ type: 'object', description, additionalProperties: value.schema, ...options }, 'optional');
}

export function listOf<F extends AnyField>(
  description: string,
  item: F,
  options: { maxItems: number; mapKeys?: string[] },
): Field<F['stored'][], F['input'][], 'optional'> {
  const schema: JsonSchema = { type: 'array', description, items: item.schema, maxItems: options.maxItems };
  if (options.mapKeys) {
    schema['x-kubernetes-list-type'] = 'map';
    schema['x-kubernetes-list-map-keys'] = options.mapKeys;
  } else {
    schema['x-kubernetes-list-type'] = 'atomic';
  }
  return new Field(schema, 'optional');
}

/** An object whose content the API server keeps as is (e.g. a core/v1 Affinity). */
export function freeform(description: string): Field<Record<string, unknown>, Record<string, unknown>, 'optional'> {
  return new Field({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true }, 'optional');
}

// ---------------------------------------------------------------------------------------------
// Pieces shared by both kinds.

const NAME_MAX_LENGTH = 253;
const LABEL_KEY_MAX_LENGTH = 316; // optional 253-char DNS prefix + '/' + 63-char name
const KAFKA_CONFIG_KEYS_MAX = 256;
const KAFKA_CONFIG_VALUE_MAX_LENGTH = 4096;

export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** The shape of `metav1.Condition`, with the condition types this API uses. */
const condition = obj('One observation of the resource, as in metav1.Condition.', {
  type: oneOf('Ready: matches the spec and serves; Progressing: converging; Degraded: cannot fully converge.', CONDITION_TYPES).required(),
  status: oneOf('Whether the condition holds.', ['True', 'False', 'Unknown'] as const).required(),
  observedGeneration: int('The metadata.generation this condition was computed from.', { minimum: 0, maximum: Number.MAX_SAFE_INTEGER, format: 'int64' }),
  lastTransitionTime: timestamp('When status last changed.').required(),
  reason: str('CamelCase machine-readable cause, e.g. RollingRestart or PartitionDecreaseRefused.', {
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    minLength: 1,
    maxLength: 1024,
  }).required(),
  message: str('Human-readable detail.', { maxLength: 32768 }).required(),
});
export type Condition = StoredOf<typeof condition>;

const conditions = listOf('Current conditions: Ready, Progressing, Degraded (one each at most).', condition, {
  maxItems: 8,
  mapKeys: ['type'],
});

const observedGeneration = int('The metadata.generation the status as a whole describes.', {
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  format: 'int64',
});

const kafkaConfig = (description: string) =>
  mapOf(description, str('A Kafka config value, as a string.', { maxLength: KAFKA_CONFIG_VALUE_MAX_LENGTH }), {
    maxProperties: KAFKA_CONFIG_KEYS_MAX,
  });

// ---------------------------------------------------------------------------------------------
// KafkaCluster

/** Broker config keys the operator derives per pod; users setting them would break the cluster. */
export const OPERATOR_OWNED_BROKER_KEYS = [
  'node.id',
  'broker.id',
  'process.roles',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'controller.listener.names',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'inter.broker.listener.name',
  'log.dirs',
  'log.dir',
  'broker.rack',
] as const;

const resourceList = (description: string) => mapOf(description, quantity('A resource quantity.'), { maxProperties: 16 });

const storage = obj('Per-broker persistent volume.', {
  size: quantity('Volume size of each broker, e.g. 10Gi. Can grow, never shrink.')
    .withDefault('10Gi')
    .rule('isQuantity(string(self))', 'storage.size must be a Kubernetes quantity such as 10Gi')
    .rule('quantity(string(self)).compareTo(quantity(string(oldSelf))) >= 0', 'storage.size cannot shrink (volumes only grow)'),
  storageClass: str('StorageClass of the volume claims; the cluster default when unset. Immutable once set.', {
    maxLength: NAME_MAX_LENGTH,
  }),
  deleteClaim: bool('Delete the PersistentVolumeClaims when the KafkaCluster is deleted (never before a broker is empty).').withDefault(false),
})
  .withDefault({})
  .rule(
    '!has(oldSelf.storageClass) || (has(self.storageClass) && self.storageClass == oldSelf.storageClass)',
    'storage.storageClass is immutable once set',
    { fieldPath: '.storageClass' },
  );

const listener = obj('A Kafka listener.', {
  name: str('Listener name (lower case); becomes the Kafka listener name in upper case.', {
    pattern: '^[a-z][a-z0-9-]*$',
    maxLength: 15,
  })
    .required()
    .rule("self != 'controller'", "listener name 'controller' is reserved for the KRaft controller listener"),
  port: int('Container port of the listener.', { minimum: 1024, maximum: 65535 }).required(),
  type: oneOf('Internal: reachable in the cluster through the bootstrap Service; NodePort or LoadBalancer: exposed outside.', [
    'Internal',
    'NodePort',
    'LoadBalancer',
  ] as const).withDefault('Internal'),
  nodePortBase: int('NodePort listeners: broker N gets nodePortBase + N + 1, the bootstrap Service nodePortBase.', {
    minimum: 30000,
    maximum: 32767,
  }),
  annotations: mapOf('Annotations for the external Services (e.g. a load balancer class).', str('Annotation value.', { maxLength: 4096 }), {
    maxProperties: 64,
  }),
}).rule("!has(self.nodePortBase) || self.type == 'NodePort'", 'nodePortBase is only valid for NodePort listeners', {
  fieldPath: '.nodePortBase',
});

const listeners = listOf('Client listeners: exactly one Internal, optionally external ones.', listener, {
  maxItems: 8,
  mapKeys: ['name'],
})
  .withDefault([{ name: 'internal', port: 9092, type: 'Internal' }])
  .rule("self.exists_one(l, l.type == 'Internal')", 'exactly one listener must have type Internal')
  .rule('self.all(l, self.filter(m, m.port == l.port).size() == 1)', 'listener ports must be unique')
  .rule('self.all(l, l.port != 9093)', 'port 9093 is reserved for the KRaft controller listener');

const toleration = obj('A core/v1 Toleration.', {
  key: str('Taint key; empty with operator Exists matches all taints.', { maxLength: LABEL_KEY_MAX_LENGTH }),
  operator: oneOf('How key and value are compared.', ['Exists', 'Equal'] as const),
  value: str('Taint value for operator Equal.', { maxLength: 63 }),
  effect: oneOf('Taint effect to tolerate; all effects when empty.', ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const),
  tolerationSeconds: int('NoExecute: how long the pod stays bound after the taint appears.', {
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    format: 'int64',
  }),
});

const podTemplate = obj('Overrides for the broker pods.', {
  labels: mapOf('Extra pod labels (the operator\'s own selector labels win).', str('Label value.', { maxLength: 63 }), {
    maxProperties: 64,
  }),
  annotations: mapOf('Extra pod annotations.', str('Annotation value.', { maxLength: 65536 }), { maxProperties: 64 }),
  affinity: freeform('A core/v1 Affinity for the broker pods, used as written.'),
  tolerations: listOf('core/v1 Tolerations for the broker pods.', toleration, { maxItems: 32 }),
});

const kafkaClusterSpec = obj('Desired state of a Tributary cluster.', {
  brokers: int('Number of brokers (StatefulSet replicas). Scaling down drains the highest ordinals first.', {
    maximum: 1000,
  })
    .required()
    .rule('self >= 1', 'brokers must be at least 1'),
  image: str('Broker container image; the operator\'s configured default when unset.', { maxLength: 1024 }),
  resources: obj('Compute resources of each broker container (core/v1 ResourceRequirements).', {
    requests: resourceList('Minimum resources, e.g. cpu: 500m, memory: 2Gi.'),
    limits: resourceList('Maximum resources.'),
  }),
  storage,
  config: kafkaConfig('Broker config (server.properties keys and string values); unknown keys are reported in a condition.').rule(
    OPERATOR_OWNED_BROKER_KEYS.map((key) => `!('${key}' in self)`).join(' && '),
    `config must not set keys the operator owns: ${OPERATOR_OWNED_BROKER_KEYS.join(', ')}`,
  ),
  listeners,
  controllerQuorumSize: int(
    'KRaft controller voters, on brokers 0..N-1 (combined mode). Unset: 3 when brokers >= 3, else 1. Immutable once set.',
    { minimum: 1, maximum: 9 },
  )
    .rule('self % 2 == 1', 'controllerQuorumSize must be odd')
    .rule('self == oldSelf', 'controllerQuorumSize is immutable once set'),
  rack: obj('Rack awareness: broker.rack comes from this node label of the pod\'s node.', {
    topologyKey: str('Node label whose value is the rack.', { minLength: 1, maxLength: LABEL_KEY_MAX_LENGTH }).withDefault(
      'topology.kubernetes.io/zone',
    ),
  }),
  template: obj('Overrides for generated objects.', { pod: podTemplate }),
  metrics: obj('Prometheus metrics.', {
    enabled: bool('Serve /metrics on each broker and annotate the pods for scraping.').withDefault(true),
  }).withDefault({}),
  rebalanceOnScale: bool('After a scale-up, move partitions onto the new brokers by reassignment.').withDefault(false),
})
  .required()
  .rule(
    '!has(self.controllerQuorumSize) || self.controllerQuorumSize <= self.brokers',
    'controllerQuorumSize must not exceed brokers',
    { fieldPath: '.controllerQuorumSize' },
  );

const rolloutEntry = obj('Why one broker needs a restart and what holds it back.', {
  broker: int('Broker ordinal (= node.id).', { minimum: 0, maximum: 1000 }).required(),
  reason: str('Why it needs a restart, e.g. "config changed: log.retention.hours".', { maxLength: 1024 }).required(),
  blockedBy: str('What blocks it now, e.g. "partition orders/3 ISR=2 = min.insync.replicas".', { maxLength: 1024 }),
  since: timestamp('Since when it has been blocked (or waiting).'),
});

const scaleDown = obj('Progress of a scale-down: brokers being drained before the StatefulSet shrinks.', {
  fromBrokers: int('Brokers when the scale-down began.', { minimum: 1, maximum: 1000 }).required(),
  toBrokers: int('Target brokers (spec.brokers).', { minimum: 1, maximum: 1000 }).required(),
  draining: listOf('Ordinals being drained, highest first.', int('Broker ordinal.', { minimum: 0, maximum: 1000 }), {
    maxItems: 1000,
  }),
  remainingReplicas: int('Partition replicas still on the draining brokers.', { minimum: 0, maximum: 10_000_000 }),
  phase: oneOf('Draining: reassigning away; WaitingForUnregister: empty, waiting to leave; Shrinking: lowering the StatefulSet; Blocked: cannot drain (see message).', [
    'Draining',
    'WaitingForUnregister',
    'Shrinking',
    'Blocked',
  ] as const).required(),
  message: str('Detail, e.g. why draining is blocked.', { maxLength: 4096 }),
  since: timestamp('When the current phase began.'),
});

const kafkaClusterStatus = obj('Observed state, written by the operator.', {
  observedGeneration,
  conditions,
  readyBrokers: int('Brokers whose pod is ready and who are registered and unfenced.', { minimum: 0, maximum: 1000 }),
  clusterId: str('The Kafka cluster id.', { maxLength: 64 }),
  listeners: listOf(
    'Bootstrap address per listener.',
    obj('Where clients of one listener connect.', {
      name: str('Listener name, as in spec.listeners.', { maxLength: 15 }).required(),
      bootstrap: str('host:port[,host:port...] for bootstrap.servers.', { maxLength: 4096 }).required(),
    }),
    { maxItems: 8, mapKeys: ['name'] },
  ),
  rollout: listOf('Brokers waiting for a restart, in the order they will go.', rolloutEntry, {
    maxItems: 1000,
    mapKeys: ['broker'],
  }),
  scaleDown,
});

export { kafkaClusterSpec as kafkaClusterSpecSchema, kafkaClusterStatus as kafkaClusterStatusSchema };
export type KafkaClusterSpec = StoredOf<typeof kafkaClusterSpec>;
export type KafkaClusterSpecInput = InputOf<typeof kafkaClusterSpec>;
export type KafkaClusterStatus = StoredOf<typeof kafkaClusterStatus>;
export type KafkaListener = KafkaClusterSpec['listeners'][number];
export type RolloutEntry = StoredOf<typeof rolloutEntry>;
export type ScaleDownStatus = StoredOf<typeof scaleDown>;

// ---------------------------------------------------------------------------------------------
// KafkaTopic

export const DELETION_POLICIES = ['Delete', 'Retain'] as const;
export const DRIFT_POLICIES = ['Enforce', 'Report', 'Ignore'] as const;

const kafkaTopicSpec = obj('Desired state of a Kafka topic.', {
  clusterRef: obj('The KafkaCluster (same namespace) that hosts the topic. Immutable.', {
    name: str('KafkaCluster name.', { minLength: 1, maxLength: NAME_MAX_LENGTH }).required(),
  })
    .required()
    .rule('self == oldSelf', 'clusterRef is immutable'),
  topicName: str('Kafka topic name when it differs from metadata.name (which cannot hold _ or upper case). Immutable.', {
    pattern: '^[a-zA-Z0-9._-]+$',
    minLength: 1,
    maxLength: 249,
  }).rule("self != '.' && self != '..'", "topicName cannot be '.' or '..'").rule('self == oldSelf', 'topicName is immutable'),
  partitions: int('Partition count. Can grow, never shrink (Kafka cannot remove partitions).', { maximum: 100_000 })
    .withDefault(1)
    .rule('self >= 1', 'partitions must be at least 1')
    .rule('self >= oldSelf', 'partitions cannot be decreased (Kafka cannot remove partitions)'),
  replicas: int('Replication factor.', { maximum: 32 }).withDefault(1).rule('self >= 1', 'replicas must be at least 1'),
  config: kafkaConfig('Topic config (Kafka topic config names and string values), altered incrementally.'),
  deletionPolicy: oneOf('Delete: deleting the resource deletes the topic; Retain: the topic stays in Kafka.', DELETION_POLICIES).withDefault(
    'Delete',
  ),
  driftPolicy: oneOf('Enforce: undo changes made in Kafka; Report: list them in status.drift; Ignore: neither.', DRIFT_POLICIES).withDefault(
    'Enforce',
  ),
  adopt: bool('Take over a topic that already exists in Kafka (otherwise an existing topic is a conflict).').withDefault(false),
  bootstrapOverride: str(
    'host:port[,host:port...]: talk to these brokers instead of the clusterRef\'s bootstrap Service (tests, clusters not run by this operator). The KafkaCluster need not exist then.',
    { pattern: '^[^,\\s]+:[0-9]{1,5}(,[^,\\s]+:[0-9]{1,5})*$', maxLength: 1024 },
  ),
})
  .required()
  .rule('has(self.topicName) == has(oldSelf.topicName)', 'topicName cannot be added or removed after creation', {
    fieldPath: '.topicName',
  });

const driftEntry = obj('One difference between the topic in Kafka and the spec.', {
  field: str('What differs: "partitions", "replicas" or "config.<name>".', { maxLength: 512 }).required(),
  desired: str('Value in the spec (absent: not in the spec).', { maxLength: KAFKA_CONFIG_VALUE_MAX_LENGTH }),
  actual: str('Value in Kafka (absent: not set in Kafka).', { maxLength: KAFKA_CONFIG_VALUE_MAX_LENGTH }),
});

const kafkaTopicStatus = obj('Observed state, written by the operator.', {
  observedGeneration,
  conditions,
  topicName: str('The Kafka topic name in use.', { maxLength: 249 }),
  topicId: str('The Kafka topic id (base64 UUID, as Kafka prints it).', { maxLength: 64 }),
  partitions: int('Partitions in Kafka.', { minimum: 0, maximum: 100_000 }),
  drift: listOf('Differences found in Kafka (kept for every driftPolicy but Ignore).', driftEntry, {
    maxItems: 512,
    mapKeys: ['field'],
  }),
});

export { kafkaTopicSpec as kafkaTopicSpecSchema, kafkaTopicStatus as kafkaTopicStatusSchema };
export type KafkaTopicSpec = StoredOf<typeof kafkaTopicSpec>;
export type KafkaTopicSpecInput = InputOf<typeof kafkaTopicSpec>;
export type KafkaTopicStatus = StoredOf<typeof kafkaTopicStatus>;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];
export type TopicDrift = StoredOf<typeof driftEntry>;

// ---------------------------------------------------------------------------------------------
// Objects. Metadata is the kube layer's object metadata (one definition).

export type ObjectMeta = KubeObjectMeta;

interface Resource<Kind extends string, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** A KafkaCluster as read from the API server (defaults filled in). */
export type KafkaCluster = Resource<'KafkaCluster', KafkaClusterSpec, KafkaClusterStatus>;
/** A KafkaCluster as a client writes it. */
export type KafkaClusterInput = Resource<'KafkaCluster', KafkaClusterSpecInput, KafkaClusterStatus>;
/** A KafkaTopic as read from the API server (defaults filled in). */
export type KafkaTopic = Resource<'KafkaTopic', KafkaTopicSpec, KafkaTopicStatus>;
/** A KafkaTopic as a client writes it. */
export type KafkaTopicInput = Resource<'KafkaTopic', KafkaTopicSpecInput, KafkaTopicStatus>;

// ---------------------------------------------------------------------------------------------
// The CRDs.

interface PrinterColumn {
  name: string;
  type: 'integer' | 'string' | 'date' | 'number' | 'boolean';
  jsonPath: string;
  description: string;
  priority?: number;
}

interface CrdOptions {
  kind: string;
  plural: string;
  shortName: string;
  description: string;
  spec: AnyField;
  status: AnyField;
  printerColumns: PrinterColumn[];
}

function customResourceDefinition(options: CrdOptions) {
  const openAPIV3Schema: JsonSchema = {
    type: 'object',
    description: options.description,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion of this object: tributary.io/v1alpha1.' },
      kind: { type: 'string', description: `Kind of this object: ${options.kind}.` },
      metadata: { type: 'object' },
      spec: options.spec.schema,
      status: options.status.schema,
    },
    required: ['spec'],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${options.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'tributary', 'app.kubernetes.io/part-of': 'tributary' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: options.kind,
        listKind: `${options.kind}List`,
        plural: options.plural,
        singular: options.kind.toLowerCase(),
        shortNames: [options.shortName],
        categories: ['tributary'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema },
          subresources: { status: {} },
          additionalPrinterColumns: options.printerColumns,
        },
      ],
    },
  };
}

const readyColumn: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Status of the Ready condition.',
};
const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' };

export const kafkaClusterCrd = customResourceDefinition({
  kind: 'KafkaCluster',
  plural: 'kafkaclusters',
  shortName: 'kc',
  description: 'A Tributary (Kafka-compatible) cluster run by the Tributary operator.',
  spec: kafkaClusterSpec,
  status: kafkaClusterStatus,
  printerColumns: [
    { name: 'Brokers', type: 'integer', jsonPath: '.spec.brokers', description: 'Desired brokers.' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyBrokers', description: 'Ready brokers.' },
    { ...readyColumn, name: 'Status', priority: 1 },
    { name: 'Cluster-ID', type: 'string', jsonPath: '.status.clusterId', description: 'Kafka cluster id.', priority: 1 },
    ageColumn,
  ],
});

export const kafkaTopicCrd = customResourceDefinition({
  kind: 'KafkaTopic',
  plural: 'kafkatopics',
  shortName: 'kt',
  description: 'A Kafka topic on a Tributary cluster, managed by the Tributary operator.',
  spec: kafkaTopicSpec,
  status: kafkaTopicStatus,
  printerColumns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name', description: 'KafkaCluster hosting the topic.' },
    { name: 'Partitions', type: 'integer', jsonPath: '.spec.partitions', description: 'Desired partitions.' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Replication factor.' },
    readyColumn,
    { name: 'Topic-ID', type: 'string', jsonPath: '.status.topicId', description: 'Kafka topic id.', priority: 1 },
    ageColumn,
  ],
});

/** Every CRD of this API version, with the file `tools/gen-crds.ts` writes it to. */
export const CRDS = [
  { file: `crds/${kafkaClusterCrd.metadata.name}.yaml`, crd: kafkaClusterCrd },
  { file: `crds/${kafkaTopicCrd.metadata.name}.yaml`, crd: kafkaTopicCrd },
] as const;
