// The DaemonSet controller: one pod per schedulable Node (not cordoned; taints are not modelled),
// named set-name + 5 random characters and bound to its node, labelled with
// controller-revision-hash and pod-template-generation; a template change replaces pods one node
// at a time once the others are Ready (RollingUpdate, maxUnavailable 1; OnDelete leaves them).
// Source: kubernetes.io/docs/concepts/workloads/controllers/daemonset/ and
// kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/.
import type { KubeObject } from "../../kube/resources.ts";
import {
  type ControllerContext,
  createPod,
  get,
  isPodReady,
  type Loose,
  neverReady,
  newPodName,
  omitZeroCounts,
  owned,
  ownerOf,
  remove,
  save,
  schedulableNodes,
  startPod,
  templateHash,
} from "./common.ts";

export function reconcileDaemonSet(ctx: ControllerContext, namespace: string, name: string): void {
  const ds = get(ctx, "DaemonSet", namespace, name);
  if (!ds) return;
  const spec = (ds.spec ?? {}) as Loose;
  const generation = String(ds.metadata?.generation ?? 1);
  const revision = templateHash(spec.template);
  const never = neverReady(ds, spec.template);
  const nodes = schedulableNodes(ctx);
  const nodeSet = new Set(nodes);
  let pods = owned(ctx, ctx.info("Pod"), namespace, "DaemonSet", name);

  for (const p of pods) {
    const node = (p.spec as Loose)?.nodeName;
    if (!nodeSet.has(node)) remove(ctx, "Pod", namespace, p.metadata?.name ?? "");
  }
  pods = pods.filter((p) => nodeSet.has((p.spec as Loose)?.nodeName));
  const onNode = new Set(pods.map((p) => (p.spec as Loose)?.nodeName));
  for (const node of nodes) {
    if (onNode.has(node)) continue;
    const podName = newPodName(ctx, namespace, name);
    pods.push(
      createPod(ctx, {
        namespace,
        name: podName,
        template: spec.template,
        owner: ownerOf(ds),
        nodeName: node,
        labels: { "controller-revision-hash": revision, "pod-template-generation": generation },
      }),
    );
    startPod(ctx, namespace, podName, never, { kind: "DaemonSet", name });
  }
  const isUpdated = (p: KubeObject) => p.metadata?.labels?.["controller-revision-hash"] === revision;
  const outdated = pods.filter((p) => !isUpdated(p));
  if (spec.updateStrategy?.type !== "OnDelete" && outdated.length > 0 && pods.every(isPodReady)) {
    remove(ctx, "Pod", namespace, outdated[0].metadata?.name ?? "");
    pods = pods.filter((p) => p !== outdated[0]);
    ctx.enqueue("DaemonSet", namespace, name);
  }

  const ready = pods.filter(isPodReady).length;
  const next: KubeObject = structuredClone(ds);
  next.status = {
    currentNumberScheduled: pods.length,
    numberMisscheduled: 0,
    desiredNumberScheduled: nodes.length,
    numberReady: ready,
    observedGeneration: ds.metadata?.generation ?? 1,
    updatedNumberScheduled: pods.filter(isUpdated).length,
    numberAvailable: ready,
    numberUnavailable: Math.max(0, nodes.length - ready),
  };
  omitZeroCounts(next.status, ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"]);
  save(ctx, "DaemonSet", next);
}
