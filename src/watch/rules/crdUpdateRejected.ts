// CRD-01 during a watch: events saying an update "is invalid" or "Required value" on a custom
// resource (INCIDENTS 4: new CRD validation rejected the old controller's status updates).
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

const REJECTED = /is invalid|Required value/;

/** Built-in API groups end in k8s.io or have no dot (apps, batch, policy...); custom ones do not. */
export function isCustomGroup(apiVersion: string | undefined): boolean {
  if (!apiVersion?.includes("/")) return false;
  const group = apiVersion.split("/")[0];
  return group.includes(".") && !group.endsWith(".k8s.io") && group !== "k8s.io";
}

export const crdUpdateRejectedRule: WatchRule = {
  id: "watch-cr-update-rejected",
  reason: "CustomResourceUpdateRejected",
  severity: "high",
  check: "CRD-01",
  resources: ["events"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.type === "DELETED" || ev.type === "SYNC") return [];
    const e = ev.obj;
    const message = typeof e.message === "string" ? e.message : "";
    if (!REJECTED.test(message)) return [];
    const involved = (e.involvedObject ?? {}) as {
      apiVersion?: string;
      kind?: string;
      namespace?: string;
      name?: string;
    };
    if (!involved.name || !isCustomGroup(involved.apiVersion)) return [];
    return [
      {
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: { kind: involved.kind ?? "CustomResource", namespace: involved.namespace, name: involved.name },
        evidence: `event ${e.reason ?? "?"} on ${involved.apiVersion} ${involved.kind}: "${message.slice(0, 300)}"`,
        likelyCause:
          "the CRD and its controller are on different versions: a new CRD schema rejects what the old controller writes (or the reverse). Upgrade CRDs and controller together; Helm does not upgrade CRDs in a chart's crds/ folder.",
        observedAt: ctx.now,
      },
    ];
  },
};
