/**
 * The broker pods and volume claims as the planners see them. Pure: observed JSON in, planner
 * inputs out.
 *
 * A pod needs a restart when it lacks something of the desired pod template:
 * - `image`: its broker container runs another image than the desired one;
 * - `config`: its `tributary.io/config-hash` annotation differs from the hash of the desired
 *   ConfigMap data (missing counts as different);
 * - `pod`: neither of those, but its `controller-revision-hash` label differs from the
 *   StatefulSet's `status.updateRevision` (any other template change: resources, tolerations, ...).
 *   The revision is only trusted once the StatefulSet controller has observed the current
 *   generation; before that `updateRevision` describes an older template.
 * Readiness is the pod's `Ready` condition; a pod with a deletionTimestamp is terminating; an
 * ordinal below the StatefulSet's size without a pod is being (re)created and counts as
 * terminating too (a restart is under way), never as "needs restart".
 */
import type { KubeObject } from '../../kube/api.js';
import type { RolloutBroker, BrokerChange } from './rollout-planner.js';
import { CONFIG_HASH_ANNOTATION, type ClusterNames } from './names.js';

export const REVISION_LABEL = 'controller-revision-hash';
/** The StatefulSet's volume claim template name; claims are `<template>-<statefulset>-<ordinal>`. */
export const CLAIM_TEMPLATE = 'data';

export interface PodObserved extends KubeObject {
  spec?: { containers?: Array<{ name?: string; image?: string }> };
  status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }> };
}

/** What a pod must match to be up to date. */
export interface DesiredPod {
  readonly image: string;
  readonly configHash: string;
  /** The StatefulSet's `status.updateRevision`, only when it describes the current generation. */
  readonly updateRevision?: string;
}

/** `<prefix><ordinal>` -> ordinal, or null for any other name. */
function ordinalAfter(prefix: string, name: string | undefined): number | null {
  if (name === undefined || !name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]{0,5})$/.test(rest) ? Number(rest) : null;
}

export function podOrdinal(names: ClusterNames, pod: KubeObject): number | null {
  return ordinalAfter(`${names.statefulSet}-`, pod.metadata.name);
}

export function claimOrdinal(names: ClusterNames, claim: KubeObject): number | null {
  return ordinalAfter(`${CLAIM_TEMPLATE}-${names.statefulSet}-`, claim.metadata.name);
}

export function claimName(names: ClusterNames, ordinal: number): string {
  return `${CLAIM_TEMPLATE}-${names.statefulSet}-${ordinal}`;
}

export function isPodReady(pod: PodObserved): boolean {
  return pod.metadata.deletionTimestamp === undefined && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function podChanges(pod: PodObserved, desired: DesiredPod): BrokerChange[] {
  const changes: BrokerChange[] = [];
  const image = (pod.spec?.containers ?? []).find((c) => c.name === 'broker')?.image;
  if (image !== desired.image) changes.push(image === undefined ? { kind: 'image', to: desired.image } : { kind: 'image', from: image, to: desired.image });
  if (pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] !== desired.configHash) changes.push({ kind: 'config' });
  const revision = pod.metadata.labels?.[REVISION_LABEL];
  if (changes.length === 0 && desired.updateRevision !== undefined && revision !== undefined && revision !== desired.updateRevision) {
    changes.push({ kind: 'pod', detail: `template revision ${revision} -> ${desired.updateRevision}` });
  }
  return changes;
}

/** The pods of this cluster by ordinal (pods with other names are ignored). */
export function podsByOrdinal(names: ClusterNames, pods: readonly PodObserved[]): Map<number, PodObserved> {
  const out = new Map<number, PodObserved>();
  for (const pod of pods) {
    const ordinal = podOrdinal(names, pod);
    if (ordinal !== null) out.set(ordinal, pod);
  }
  return out;
}

/** Rollout planner input: every pod, plus each ordinal below `slots` that has none (being created). */
export function rolloutBrokers(names: ClusterNames, pods: readonly PodObserved[], slots: number, desired: DesiredPod): RolloutBroker[] {
  const byOrdinal = podsByOrdinal(names, pods);
  const ids = [...new Set([...byOrdinal.keys(), ...Array.from({ length: slots }, (_, i) => i)])].sort((a, b) => a - b);
  return ids.map((id): RolloutBroker => {
    const pod = byOrdinal.get(id);
    if (pod === undefined) return { id, ready: false, terminating: true, changes: [] };
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    return { id, ready: isPodReady(pod), ...(terminating ? { terminating } : {}), changes: terminating ? [] : podChanges(pod, desired) };
  });
}
