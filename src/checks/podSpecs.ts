// Pod specs as people own them: the template of each Deployment, StatefulSet and DaemonSet (so a
// workload scaled to zero is still seen), plus pods no such workload owns (Jobs, CronJobs, bare
// pods), grouped by their owner. A check walks one spec per workload and reports per workload,
// never per pod.
import type { KubeObject } from "../kube/resources.ts";
import { objectRef } from "../kube/resources.ts";
import { createOwnerResolver, groupByOwner, type Loose, refKey } from "./ownership.ts";
import type { CheckContext, ObjectRef } from "./types.ts";

export const POD_SPEC_READS = ["pods", "replicasets", "deployments", "statefulsets", "daemonsets"] as const;

export interface OwnedPodSpec {
  owner: ObjectRef;
  spec: Loose;
  /** Pods seen for this owner (0 for a workload scaled to zero). */
  pods: number;
}

export function ownedPodSpecs(ctx: CheckContext): OwnedPodSpec[] {
  const out: OwnedPodSpec[] = [];
  const seen = new Map<string, OwnedPodSpec>();
  for (const key of ["deployments", "statefulsets", "daemonsets"] as const) {
    for (const w of ctx.objects(key)) {
      const spec = w?.spec?.template?.spec;
      if (!spec || typeof spec !== "object") continue;
      const entry = { owner: objectRef(w), spec, pods: 0 };
      seen.set(refKey(entry.owner), entry);
      out.push(entry);
    }
  }
  const resolve = createOwnerResolver(ctx.objects("replicasets"));
  const pods = ctx.objects("pods").filter((p): p is KubeObject => !!p?.spec && typeof p.spec === "object");
  for (const group of groupByOwner(
    pods.map((pod) => ({ pod, item: pod })),
    resolve,
  )) {
    const known = seen.get(refKey(group.owner));
    if (known) known.pods += group.items.length;
    else out.push({ owner: group.owner, spec: group.items[0].spec, pods: group.items.length });
  }
  return out;
}

/** The spec's volumes, objects only. */
export function volumesOf(spec: Loose): Loose[] {
  return Array.isArray(spec?.volumes) ? spec.volumes.filter((v: unknown) => v && typeof v === "object") : [];
}
