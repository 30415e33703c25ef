// REF-01: a pod that needs a ConfigMap or Secret that is not there never starts (it sits in
// CreateContainerConfigError or ContainerCreating). INCIDENTS case 3: a ConfigMap the Rancher pod
// needed was missing and the Harvester upgrade hung. References marked `optional: true` are fine.
//
// ConfigMaps are listed. Secrets are not (least privilege: only Helm's release Secrets are ever
// listed): the snapshot asks for each referenced Secret by name, metadata only, and where it may
// not (UPSHIFT_HELM_NAMESPACES leaves the namespace out, or the API server answers 403) this
// check says so per namespace instead of guessing; pods stuck in CreateContainerConfigError are
// still reported there from the kubelet's message.
import type { KubeObject } from "../../kube/resources.ts";
import { plural } from "../../text/english.ts";
import {
  containerStatuses,
  createOwnerResolver,
  describeRef,
  groupByOwner,
  type Loose,
  type Ref,
  requiredRefs,
} from "../ownership.ts";
import type { Check, CheckContext, FindingInput } from "../types.ts";

export { requiredRefs };

interface Problem {
  pod: string;
  /** The pod is up (phase Running, every container running): it started before the object went. */
  running: boolean;
  /** Stable identity for grouping one missing object across the pods of a workload. */
  id: string;
  ref?: Ref;
  missingKey?: boolean;
  /** A container stuck in CreateContainerConfigError with no missing reference we can name. */
  configError?: { container: string; message: string };
}

function namesByNamespace(objects: readonly KubeObject[]): Map<string, Map<string, KubeObject>> {
  const out = new Map<string, Map<string, KubeObject>>();
  for (const o of objects) {
    const name = o?.metadata?.name;
    if (!name) continue;
    const ns = o.metadata?.namespace ?? "";
    let m = out.get(ns);
    if (!m) {
      m = new Map();
      out.set(ns, m);
    }
    m.set(name, o);
  }
  return out;
}

function hasKey(cm: KubeObject, key: string): boolean {
  const inData = cm.data && typeof cm.data === "object" && Object.hasOwn(cm.data, key);
  const binary = cm.binaryData as Loose | undefined;
  return Boolean(inData || (binary && typeof binary === "object" && Object.hasOwn(binary, key)));
}

function isRunning(pod: KubeObject): boolean {
  const statuses = pod.status?.containerStatuses;
  return (
    pod.status?.phase === "Running" &&
    Array.isArray(statuses) &&
    statuses.length > 0 &&
    statuses.every((s: Loose) => s?.state?.running !== undefined && s.state.running !== null)
  );
}

/** "pod x" or "3 pods". */
function podsLabel(problems: readonly Problem[]): string {
  return problems.length === 1 ? `pod ${problems[0].pod}` : plural(problems.length, "pod");
}

/**
 * What the missing object does to the workload, counting only pods that are really down: pods
 * that started before the object went keep running, but any replacement (a drain during the
 * upgrade recreates them all) cannot start.
 */
function cannotStart(problems: readonly Problem[]): string {
  const down = problems.filter((p) => !p.running).length;
  if (down === 0)
    return `its running ${problems.length === 1 ? "pod keeps" : "pods keep"} going (${podsLabel(problems)}), but no new or restarted pod can start, and draining nodes for the upgrade replaces them all`;
  if (down === problems.length) return `its pods cannot start (${plural(down, "pod")} not running)`;
  const up = problems.length - down;
  return `its pods cannot start: ${down} of ${problems.length} pods ${down === 1 ? "is" : "are"} not running, and the ${up} still running will not come back once restarted or drained`;
}

export const ref01MissingConfigRefs: Check = {
  id: "REF-01",
  severity: "high",
  title: "Pods refer to a ConfigMap or Secret that does not exist",
  remediation:
    "Create the missing ConfigMap or Secret (or mark the reference optional: true if the app copes without it); pods cannot start until it exists.",
  reads: ["pods", "replicasets", "configmaps"],
  readsSecretRefs: true,
  evaluate(ctx: CheckContext): FindingInput[] {
    const resolve = createOwnerResolver(ctx.objects("replicasets"));
    const configMaps = namesByNamespace(ctx.objects("configmaps"));
    const entries: Array<{ pod: KubeObject; item: Problem }> = [];
    for (const pod of ctx.objects("pods")) {
      if (!pod || typeof pod !== "object") continue;
      const ns = pod.metadata?.namespace ?? "";
      const podName = pod.metadata?.name ?? "(unnamed)";
      const running = isRunning(pod);
      const seen = new Set<string>();
      let named = false;
      for (const ref of requiredRefs(pod.spec)) {
        let id: string | undefined;
        let missingKey = false;
        if (ref.kind === "Secret") {
          // Undefined: not asked (its namespace is reported as not evaluated below).
          if (ctx.secrets.refs.get(`${ns}/${ref.name}`) === false) id = `${ref.kind}/${ref.name}`;
          if (!id || seen.has(id)) continue;
          seen.add(id);
          named = true;
          entries.push({ pod, item: { pod: podName, running, id, ref, missingKey } });
          continue;
        }
        const existing = configMaps.get(ns)?.get(ref.name);
        if (!existing) id = `${ref.kind}/${ref.name}`;
        else if (ref.kind === "ConfigMap" && ref.key && !hasKey(existing, ref.key)) {
          id = `${ref.kind}/${ref.name}#${ref.key}`;
          missingKey = true;
        }
        if (!id || seen.has(id)) continue;
        seen.add(id);
        named = true;
        entries.push({ pod, item: { pod: podName, running, id, ref, missingKey } });
      }
      if (named) continue;
      // Stuck for a reason we cannot see in the snapshot (a Secret we were not allowed to list,
      // a missing key in a Secret): the kubelet's message still names it.
      for (const s of containerStatuses(pod)) {
        const w = s.state?.waiting;
        if (w?.reason !== "CreateContainerConfigError") continue;
        const message = typeof w.message === "string" ? w.message : "(no message)";
        entries.push({
          pod,
          item: { pod: podName, running, id: `error/${s.name}`, configError: { container: String(s.name), message } },
        });
        break;
      }
    }
    const out: FindingInput[] = [];
    for (const u of ctx.secrets.refsUnreadable) {
      out.push({
        severity: "info",
        object: { apiVersion: "v1", kind: "Namespace", name: u.namespace },
        message: `Secret references not evaluated: no access to Secrets in namespace ${u.namespace} (${u.reason}); ConfigMap references there were checked.`,
        evidence: `pods in ${u.namespace} refer to Secrets Upshift may not read`,
        remediation: `To check them, add ${u.namespace} to UPSHIFT_HELM_NAMESPACES and its RoleBinding (deploy/kubernetes/components/helm-namespaces), or use the cluster-wide default.`,
      });
    }
    for (const { owner, items } of groupByOwner(entries, resolve)) {
      const byId = new Map<string, Problem[]>();
      for (const p of items) {
        const list = byId.get(p.id);
        if (list) list.push(p);
        else byId.set(p.id, [p]);
      }
      for (const problems of byId.values()) {
        const p = problems[0];
        const pods = podsLabel(problems);
        const ns = owner.namespace ?? "default";
        if (p.configError) {
          out.push({
            object: owner,
            message: `Container ${p.configError.container} of ${describeRef(owner)} cannot start: CreateContainerConfigError (${pods}).`,
            evidence: `state.waiting.reason=CreateContainerConfigError message=${p.configError.message}`,
            remediation: `Create what the message names in namespace ${ns}, or fix the reference in ${describeRef(owner)}.`,
          });
          continue;
        }
        const ref = p.ref!;
        if (p.missingKey) {
          out.push({
            object: owner,
            message: `${describeRef(owner)} needs key ${ref.key} of ConfigMap ${ns}/${ref.name}, which does not have it (${pods}).`,
            evidence: `${ref.field} name=${ref.name} key=${ref.key}; ConfigMap has no such key`,
            remediation: `Add key ${ref.key} to ConfigMap ${ns}/${ref.name}, or set optional: true on the reference.`,
          });
          continue;
        }
        out.push({
          object: owner,
          message: `${describeRef(owner)} refers to ${ref.kind} ${ns}/${ref.name}, which does not exist: ${cannotStart(problems)}.`,
          evidence: `${ref.field} name=${ref.name}; ${ref.kind} not found in namespace ${ns}`,
          remediation: `Create ${ref.kind} ${ref.name} in namespace ${ns} (from the chart's values or a backup), or set optional: true on the reference if the app works without it.`,
        });
      }
    }
    return out;
  },
};
