// What the sandbox's controllers share: the store access they write through (the same
// Store.write the API uses, so every change is a watch event), ownership, the template hash, the
// names real controllers generate, where new pods are scheduled, the zero counts a status omits,
// and the "kubelet" that makes a pod Running and Ready.
import { randomInt, randomUUID } from "node:crypto";
import type { KubeObject } from "../../kube/resources.ts";
import type { ResourceInfo } from "../builtinResources.ts";
import { nowTimestamp, type Store } from "../store.ts";

/**
 * `sandbox.upshift.dev/rollout: never` on a workload or on its pod template: its pods start but
 * never become Ready (a readiness probe that never passes), so rollouts and `--wait` time out.
 */
export const ROLLOUT_ANNOTATION = "sandbox.upshift.dev/rollout";

// biome-ignore lint/suspicious/noExplicitAny: workload specs and statuses are read from raw JSON
export type Loose = any;

export type WorkloadKind = "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job";

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** The controllers' view of the cluster and their own work queue and clock. */
export interface ControllerContext {
  readonly store: Store;
  /** How long a new pod takes to become Ready (Running for Job pods, then Succeeded). */
  readonly readyDelayMs: number;
  enqueue(kind: WorkloadKind, namespace: string, name: string): void;
  /** Runs `fn` after `ms` (one timer per id: a later call replaces it); stopped by close(). */
  later(id: string, ms: number, fn: () => void): void;
  info(kind: WorkloadKind | "Pod" | "Node"): ResourceInfo;
}

// Alphabet of k8s.io/apimachinery/pkg/util/rand (no vowels, no 0/1/3): generated names and hashes.
export const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** rand.String(n): the random suffix of generateName pods (5 characters). */
export function randomSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

/** A free name for a new pod of `ownerName`: the owner's name and rand.String(5), drawn again while taken. */
export function newPodName(ctx: ControllerContext, namespace: string, ownerName: string): string {
  let name = `${ownerName}-${randomSuffix()}`;
  while (ctx.store.getEntry(ctx.info("Pod"), namespace, name)) name = `${ownerName}-${randomSuffix()}`;
  return name;
}

/** JSON with object keys sorted, so equal templates hash and compare equal whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * The pod-template-hash as controller.ComputeHash makes it: FNV-1a 32 of the template (plus the
 * collision count when set), the decimal sum mapped through rand.SafeEncodeString. The real
 * controller hashes a spew dump of the Go struct, which only Go can reproduce; the sandbox hashes
 * canonical JSON instead, so values differ from a real cluster's but have the same form and change
 * exactly when the template does. Source: kubernetes/kubernetes pkg/controller/controller_utils.go
 * ComputeHash; k8s.io/apimachinery/pkg/util/rand SafeEncodeString.
 */
export function templateHash(template: unknown, collisionCount?: number): string {
  let h = 0x811c9dc5;
  const feed = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= b;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  feed(Buffer.from(canonicalJson(template), "utf8"));
  if (collisionCount !== undefined) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    feed(b);
  }
  return [...String(h >>> 0)].map((c) => ALPHANUMS[c.charCodeAt(0) % ALPHANUMS.length]).join("");
}

export function ownerOf(obj: KubeObject): Owner {
  return {
    apiVersion: obj.apiVersion ?? "",
    kind: obj.kind ?? "",
    name: obj.metadata?.name ?? "",
    uid: obj.metadata?.uid ?? "",
  };
}

export function controllerRef(owner: Owner) {
  return { ...owner, controller: true, blockOwnerDeletion: true };
}

/**
 * The controller owner reference's kind and name. Matched by kind and name, not uid: scenario
 * snapshots carry made-up owner uids, and a real controller would have adopted those objects.
 */
export function controllerOf(obj: KubeObject): { kind: string; name: string } | undefined {
  const refs = (obj.metadata?.ownerReferences ?? []) as Loose[];
  const ref = refs.find((r) => r?.controller === true);
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

export function isOwnedBy(obj: KubeObject, kind: string, name: string): boolean {
  const c = controllerOf(obj);
  return c !== undefined && c.kind === kind && c.name === name;
}

/** Copies of the objects of `info` in `namespace` that `kind/name` controls. */
export function owned(ctx: ControllerContext, info: ResourceInfo, namespace: string, kind: string, name: string) {
  const out: KubeObject[] = [];
  ctx.store.scan(info, namespace, undefined, (e) => {
    if (isOwnedBy(e.obj, kind, name) && !e.obj.metadata?.deletionTimestamp) out.push(structuredClone(e.obj));
    return true;
  });
  return out;
}

export function get(ctx: ControllerContext, kind: WorkloadKind | "Pod", namespace: string, name: string) {
  const e = ctx.store.getEntry(ctx.info(kind), namespace, name);
  return e ? (structuredClone(e.obj) as KubeObject) : undefined;
}

/** Writes `next` when it differs from what is stored (a no-op write would be a spurious watch event). */
export function save(ctx: ControllerContext, kind: WorkloadKind | "Pod", next: KubeObject): void {
  const info = ctx.info(kind);
  const ns = info.namespaced ? (next.metadata?.namespace ?? "") : "";
  const current = ctx.store.getEntry(info, ns, next.metadata?.name ?? "");
  if (current) {
    const { resourceVersion: _a, ...a } = current.obj.metadata ?? {};
    const { resourceVersion: _b, ...b } = next.metadata ?? {};
    if (canonicalJson({ ...current.obj, metadata: a }) === canonicalJson({ ...next, metadata: b })) return;
  }
  ctx.store.write(info, next);
}

export function remove(ctx: ControllerContext, kind: WorkloadKind | "Pod", namespace: string, name: string): void {
  ctx.store.delete(ctx.info(kind), namespace, name);
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as Loose)?.conditions ?? []) as Loose[];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

export function podPhase(pod: KubeObject): string {
  return (pod.status as Loose)?.phase ?? "Pending";
}

export function neverReady(...objs: Array<KubeObject | undefined>): boolean {
  return objs.some((o) => o?.metadata?.annotations?.[ROLLOUT_ANNOTATION] === "never");
}

export function condition(type: string, status: string, reason: string, message: string, previous?: Loose) {
  const now = nowTimestamp();
  const same = previous && previous.status === status;
  return {
    type,
    status,
    lastUpdateTime: same && previous.reason === reason ? (previous.lastUpdateTime ?? now) : now,
    lastTransitionTime: same ? (previous.lastTransitionTime ?? now) : now,
    reason,
    message,
  };
}

export interface NewPod {
  namespace: string;
  name: string;
  template: Loose;
  owner: Owner;
  labels?: Record<string, string>;
  nodeName?: string;
  extraSpec?: Record<string, unknown>;
}

/** A pod as the API server stores it for a controller's create: Pending, scheduled when a node is known. */
export function createPod(ctx: ControllerContext, p: NewPod): KubeObject {
  const tm = (p.template?.metadata ?? {}) as Loose;
  const now = nowTimestamp();
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: randomUUID(),
      creationTimestamp: now,
      labels: { ...(tm.labels ?? {}), ...(p.labels ?? {}) },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ownerReferences: [controllerRef(p.owner)],
    },
    spec: {
      ...structuredClone(p.template?.spec ?? {}),
      ...(p.extraSpec ?? {}),
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
    },
    status: {
      phase: "Pending",
      conditions: p.nodeName ? [{ type: "PodScheduled", status: "True", lastTransitionTime: now }] : [],
      qosClass: "BestEffort",
    },
  };
  if (!pod.metadata?.annotations) delete pod.metadata?.annotations;
  ctx.store.write(ctx.info("Pod"), pod);
  return pod;
}

/**
 * The kubelet's part: `readyDelayMs` after creation the pod runs; it is Ready unless `never`, and a
 * run-to-completion pod (restartPolicy Never/OnFailure, as Job pods are) then Succeeds. Whoever
 * owns the pod is re-queued, as the pod informer would. A pod that already has a phase is left alone.
 */
export function startPod(
  ctx: ControllerContext,
  namespace: string,
  name: string,
  never: boolean,
  owner?: { kind: WorkloadKind; name: string },
) {
  ctx.later(`pod/${namespace}/${name}`, ctx.readyDelayMs, () => {
    const pod = get(ctx, "Pod", namespace, name);
    if (!pod || podPhase(pod) !== "Pending") return;
    const now = nowTimestamp();
    const spec = (pod.spec ?? {}) as Loose;
    const containers = (spec.containers ?? []) as Loose[];
    const runsToCompletion = spec.restartPolicy === "Never" || spec.restartPolicy === "OnFailure";
    const completes = runsToCompletion && !never;
    const ready = !never && !completes;
    const containerStatuses = containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready,
      started: !completes,
      restartCount: 0,
      state: completes
        ? { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } }
        : { running: { startedAt: now } },
    }));
    const readyCondition = completes
      ? { status: "False", reason: "PodCompleted" }
      : ready
        ? { status: "True" }
        : { status: "False", reason: "ContainersNotReady", message: "containers with unready status" };
    pod.status = {
      phase: completes ? "Succeeded" : "Running",
      conditions: [
        { type: "PodReadyToStartContainers", status: "True", lastTransitionTime: now },
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "Ready", ...readyCondition, lastTransitionTime: now },
        { type: "ContainersReady", ...readyCondition, lastTransitionTime: now },
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
      ],
      startTime: now,
      containerStatuses,
      qosClass: "BestEffort",
    };
    save(ctx, "Pod", pod);
    if (owner) ctx.enqueue(owner.kind, namespace, owner.name);
  });
}

export function replicasOf(obj: KubeObject): number {
  const r = (obj.spec as Loose)?.replicas;
  return typeof r === "number" ? r : 1;
}

/** Spreads pods over the Nodes the cluster has (round robin), as a scheduler would place them. */
export function pickNode(ctx: ControllerContext, i: number): string | undefined {
  const nodes = schedulableNodes(ctx);
  return nodes.length > 0 ? nodes[i % nodes.length] : undefined;
}

/** Names of Nodes that take new pods: not cordoned (spec.unschedulable). Taints are not modelled. */
export function schedulableNodes(ctx: ControllerContext): string[] {
  const out: string[] = [];
  ctx.store.scan(ctx.info("Node"), undefined, undefined, (e) => {
    if (!(e.obj.spec as Loose)?.unschedulable) out.push(e.name);
    return true;
  });
  return out;
}

/** Deletes the counts among `keys` that are 0: the API server omits zero counts in workload statuses (omitempty). */
export function omitZeroCounts(status: Loose, keys: readonly string[]): void {
  for (const k of keys) if (status[k] === 0) delete status[k];
}
