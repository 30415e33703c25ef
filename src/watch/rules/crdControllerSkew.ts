// CRD-01 during a watch: a CRD whose version labels changed while the controller that goes with it
// (a Deployment/StatefulSet/DaemonSet of the same app instance) still carries the old version for
// longer than a grace period. A normal Helm upgrade applies CRDs seconds before the controller, so
// only a lasting difference is reported.
import type { KubeObject } from "../../kube/resources.ts";
import type { AlertDraft, ObjectEvent, RuleContext, WatchedKey, WatchRule } from "../types.ts";

const PREFIX = "crd-skew:";
const WORKLOADS: WatchedKey[] = ["deployments", "statefulsets", "daemonsets"];

function versionOf(o: KubeObject | undefined): string | undefined {
  const l = o?.metadata?.labels ?? {};
  return l["app.kubernetes.io/version"] ?? l["helm.sh/chart"]?.replace(/^.*?-(v?\d)/, "$1");
}

function appOf(o: KubeObject | undefined): string | undefined {
  const l = o?.metadata?.labels ?? {};
  return l["app.kubernetes.io/instance"] ?? l["app.kubernetes.io/part-of"] ?? l["app.kubernetes.io/name"];
}

function controllerFor(crd: KubeObject, ctx: RuleContext): KubeObject | undefined {
  const app = appOf(crd);
  if (!app) return undefined;
  for (const key of WORKLOADS) for (const w of ctx.lookup(key)) if (appOf(w) === app && versionOf(w)) return w;
  return undefined;
}

export const crdControllerSkewRule: WatchRule = {
  id: "watch-crd-controller-skew",
  reason: "CrdAheadOfController",
  severity: "high",
  check: "CRD-01",
  resources: ["crds", "deployments", "statefulsets", "daemonsets"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.resource !== "crds") return [];
    const name = ev.obj.metadata?.name;
    if (!name) return [];
    const key = `${PREFIX}${name}`;
    const changed = ev.prev !== undefined && versionOf(ev.prev) !== versionOf(ev.obj);
    if (ev.type === "DELETED") ctx.timers.delete(key);
    else if (changed && ctx.timers.get(key) === undefined) ctx.timers.set(key, ctx.now);
    return [];
  },
  onTick(ctx: RuleContext): AlertDraft[] {
    const out: AlertDraft[] = [];
    for (const [key, since] of ctx.timers.entries(PREFIX)) {
      const name = key.slice(PREFIX.length);
      const crd = [...ctx.lookup("crds")].find((c) => c.metadata?.name === name);
      const controller = crd ? controllerFor(crd, ctx) : undefined;
      if (!crd || !controller || versionOf(controller) === versionOf(crd)) {
        // Caught up (or nothing to compare with): nothing to report.
        if (!crd || versionOf(controller) === versionOf(crd)) ctx.timers.delete(key);
        continue;
      }
      if (ctx.now - since < ctx.options.crdSkewGraceMs) continue;
      ctx.timers.delete(key);
      out.push({
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: { kind: "CustomResourceDefinition", name },
        evidence: `CRD now at ${versionOf(crd)}, controller ${controller.kind} \`${controller.metadata?.namespace}/${controller.metadata?.name}\` still at ${versionOf(controller)} after ${Math.round((ctx.now - since) / 1000)} s`,
        likelyCause:
          "the CRDs were upgraded without the controller (or the controller rollout is stuck): the API server may reject the controller's writes under the new schema. Move them together.",
        observedAt: ctx.now,
      });
    }
    return out;
  },
};
