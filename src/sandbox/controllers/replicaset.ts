// The ReplicaSet controller: keeps spec.replicas pods (named rs-name + 5 random characters, owned
// by the ReplicaSet) and reports replicas / readyReplicas / availableReplicas / observedGeneration.
// Surplus pods go unready ones first, then the newest, as the real controller ranks them.
import type { KubeObject } from "../../kube/resources.ts";
import {
  type ControllerContext,
  controllerOf,
  createPod,
  get,
  isPodReady,
  type Loose,
  neverReady,
  newPodName,
  omitZeroCounts,
  owned,
  ownerOf,
  pickNode,
  remove,
  replicasOf,
  save,
  startPod,
} from "./common.ts";

export function reconcileReplicaSet(ctx: ControllerContext, namespace: string, name: string): void {
  const rs = get(ctx, "ReplicaSet", namespace, name);
  if (!rs) return;
  const want = replicasOf(rs);
  let pods = owned(ctx, ctx.info("Pod"), namespace, "ReplicaSet", name);
  const template = (rs.spec as Loose)?.template;
  const parent = controllerOf(rs);
  const deployment = parent?.kind === "Deployment" ? get(ctx, "Deployment", namespace, parent.name) : undefined;
  const never = neverReady(rs, deployment, template);
  for (let i = pods.length; i < want; i++) {
    const podName = newPodName(ctx, namespace, name);
    pods.push(createPod(ctx, { namespace, name: podName, template, owner: ownerOf(rs), nodeName: pickNode(ctx, i) }));
    startPod(ctx, namespace, podName, never, { kind: "ReplicaSet", name });
  }
  if (pods.length > want) {
    const ranked = [...pods].sort(
      (a, b) =>
        Number(isPodReady(a)) - Number(isPodReady(b)) ||
        String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp)),
    );
    const victims = new Set(ranked.slice(0, pods.length - want).map((p) => p.metadata?.name));
    for (const v of victims) remove(ctx, "Pod", namespace, v as string);
    pods = pods.filter((p) => !victims.has(p.metadata?.name));
  }
  const ready = pods.filter(isPodReady).length;
  const next: KubeObject = structuredClone(rs);
  next.status = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata?.generation ?? 1,
  };
  // The API server omits zero counts (omitempty), so a scaled-down ReplicaSet shows only replicas: 0.
  omitZeroCounts(next.status, ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"]);
  save(ctx, "ReplicaSet", next);
  if (parent?.kind === "Deployment") ctx.enqueue("Deployment", namespace, parent.name);
}
