// Stands in for the Deployment/StatefulSet/DaemonSet controllers: after a create or a spec change
// made through the API, the workload reports itself rolled out `delayMs` later (as a separate write,
// so watchers see a MODIFIED event), unless annotated `sandbox.upshift.dev/rollout: never`, in which
// case it reports a failed rollout (Progressing=False, ProgressDeadlineExceeded).
import type { KubeObject } from "../kube/resources.ts";
import type { ResourceInfo } from "./builtinResources.ts";
import { nowTimestamp, type Store, type StoredEntry } from "./store.ts";

export const ROLLOUT_ANNOTATION = "sandbox.upshift.dev/rollout";

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

export class RolloutSimulator {
  private readonly store: Store;
  private readonly delayMs: number;
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(store: Store, delayMs: number) {
    this.store = store;
    this.delayMs = delayMs;
  }

  /** Called after every API write of the main resource. */
  onApiWrite(info: ResourceInfo, entry: StoredEntry, previous: StoredEntry | undefined): void {
    if (info.group !== "apps" || !WORKLOADS.has(info.kind)) return;
    const generation = entry.obj.metadata?.generation;
    if (previous && previous.obj.metadata?.generation === generation) return;
    const id = `${info.plural}/${entry.key}`;
    clearTimeout(this.timers.get(id));
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.complete(info, entry.namespace, entry.name, generation);
    }, this.delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private complete(info: ResourceInfo, namespace: string, name: string, generation: unknown): void {
    const current = this.store.getEntry(info, namespace, name);
    if (!current || current.obj.metadata?.generation !== generation) return;
    const obj: KubeObject = structuredClone(current.obj);
    const never = obj.metadata?.annotations?.[ROLLOUT_ANNOTATION] === "never";
    obj.status = statusFor(obj, never, this.daemonSetNodes());
    this.store.write(info, obj);
  }

  private daemonSetNodes(): number {
    const nodes = this.store.registry.byKind("v1", "Node");
    const n = nodes ? this.store.count(nodes) : 0;
    return n > 0 ? n : 1;
  }
}

function condition(type: string, status: string, reason: string, message: string) {
  const now = nowTimestamp();
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

function statusFor(obj: KubeObject, never: boolean, nodes: number) {
  const generation = obj.metadata?.generation ?? 1;
  const name = obj.metadata?.name;
  const replicas: number = typeof obj.spec?.replicas === "number" ? obj.spec.replicas : 1;
  const ready = never ? 0 : replicas;
  switch (obj.kind) {
    case "DaemonSet":
      return {
        observedGeneration: generation,
        desiredNumberScheduled: nodes,
        currentNumberScheduled: nodes,
        updatedNumberScheduled: nodes,
        numberReady: never ? 0 : nodes,
        numberAvailable: never ? 0 : nodes,
        ...(never ? { numberUnavailable: nodes } : {}),
        numberMisscheduled: 0,
      };
    case "StatefulSet":
      return {
        observedGeneration: generation,
        replicas,
        readyReplicas: ready,
        currentReplicas: ready,
        updatedReplicas: ready,
        availableReplicas: ready,
        currentRevision: `${name}-${generation}`,
        updateRevision: `${name}-${generation}`,
      };
    default:
      return {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: ready,
        availableReplicas: ready,
        ...(never ? { unavailableReplicas: replicas } : {}),
        conditions: never
          ? [
              condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
              ),
              condition(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                `ReplicaSet "${name}" has timed out progressing.`,
              ),
            ]
          : [
              condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
              condition(
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                `ReplicaSet "${name}" has successfully progressed.`,
              ),
            ],
      };
  }
}
