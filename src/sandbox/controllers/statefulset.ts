// The StatefulSet controller: pods named set-name-0, -1, ... (with the statefulset.kubernetes.io/pod-name,
// apps.kubernetes.io/pod-index and controller-revision-hash labels), created in ordinal order each
// after the one before is Ready (OrderedReady, the default) or all at once (Parallel); a template
// change replaces pods from the highest ordinal down, one at a time once the rest are Ready
// (RollingUpdate; OnDelete leaves them); status as `kubectl rollout status statefulset` reads it.
// Sources: kubernetes.io/docs/concepts/workloads/controllers/statefulset/ ("Pod Identity",
// "Deployment and Scaling Guarantees", "Update strategies"); kubectl's StatefulSetStatusViewer.
import type { KubeObject } from "../../kube/resources.ts";
import {
  type ControllerContext,
  createPod,
  get,
  isPodReady,
  type Loose,
  neverReady,
  omitZeroCounts,
  owned,
  ownerOf,
  pickNode,
  remove,
  replicasOf,
  save,
  startPod,
  templateHash,
} from "./common.ts";

const REVISION_LABEL = "controller-revision-hash";

export function reconcileStatefulSet(ctx: ControllerContext, namespace: string, name: string): void {
  const set = get(ctx, "StatefulSet", namespace, name);
  if (!set) return;
  const spec = (set.spec ?? {}) as Loose;
  const want = replicasOf(set);
  const updateRevision = `${name}-${templateHash(spec.template)}`;
  const never = neverReady(set, spec.template);
  const ordinal = (p: KubeObject) => Number(p.metadata?.name?.slice(name.length + 1));
  let pods = owned(ctx, ctx.info("Pod"), namespace, "StatefulSet", name).filter((p) =>
    /^\d+$/.test(p.metadata?.name?.slice(name.length + 1) ?? ""),
  );
  const byOrdinal = new Map(pods.map((p) => [ordinal(p), p]));
  const parallel = spec.podManagementPolicy === "Parallel";

  // Scale down: ordinals at or above replicas go, highest first.
  for (const p of [...pods].sort((a, b) => ordinal(b) - ordinal(a))) {
    if (ordinal(p) >= want) {
      remove(ctx, "Pod", namespace, p.metadata?.name ?? "");
      byOrdinal.delete(ordinal(p));
    }
  }
  // Scale up / recreate: the lowest missing ordinal (every missing one when Parallel).
  for (let i = 0; i < want; i++) {
    if (byOrdinal.has(i)) {
      if (!parallel && !isPodReady(byOrdinal.get(i) as KubeObject)) break;
      continue;
    }
    const podName = `${name}-${i}`;
    const pod = createPod(ctx, {
      namespace,
      name: podName,
      template: spec.template,
      owner: ownerOf(set),
      nodeName: pickNode(ctx, i),
      labels: {
        [REVISION_LABEL]: updateRevision,
        "statefulset.kubernetes.io/pod-name": podName,
        "apps.kubernetes.io/pod-index": String(i),
      },
      extraSpec: { hostname: podName, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) },
    });
    byOrdinal.set(i, pod);
    startPod(ctx, namespace, podName, never, { kind: "StatefulSet", name });
    if (!parallel) break;
  }
  pods = [...byOrdinal.values()];
  // Rolling update: the highest outdated pod is deleted once every pod is Ready; it comes back updated.
  const outdated = pods.filter((p) => p.metadata?.labels?.[REVISION_LABEL] !== updateRevision);
  if (spec.updateStrategy?.type !== "OnDelete" && outdated.length > 0 && pods.every(isPodReady)) {
    const victim = outdated.sort((a, b) => ordinal(b) - ordinal(a))[0];
    remove(ctx, "Pod", namespace, victim.metadata?.name ?? "");
    pods = pods.filter((p) => p !== victim);
    ctx.enqueue("StatefulSet", namespace, name);
  }

  const prev = (set.status ?? {}) as Loose;
  const updated = pods.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === updateRevision);
  const ready = pods.filter(isPodReady).length;
  const allUpdated = updated.length === want && pods.length === want;
  const currentRevision = allUpdated ? updateRevision : (prev.currentRevision ?? updateRevision);
  const current = pods.filter((p) => p.metadata?.labels?.[REVISION_LABEL] === currentRevision).length;
  const next: KubeObject = structuredClone(set);
  next.status = {
    observedGeneration: set.metadata?.generation ?? 1,
    replicas: pods.length,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated.length,
    availableReplicas: ready,
    currentRevision,
    updateRevision,
    collisionCount: prev.collisionCount ?? 0,
  };
  omitZeroCounts(next.status, ["readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"]);
  save(ctx, "StatefulSet", next);
}
