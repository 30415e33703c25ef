// HELM-02 during a watch: a release revision that becomes `failed`.
import { releaseLabels } from "../../helm/release.ts";
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

export const helmFailedRule: WatchRule = {
  id: "watch-helm-failed",
  reason: "HelmReleaseFailed",
  severity: "high",
  check: "HELM-02",
  resources: ["helmReleases"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    if (ev.type === "DELETED") return [];
    const labels = releaseLabels(ev.obj);
    if (labels?.status !== "failed") return [];
    if (ev.prev && releaseLabels(ev.prev)?.status === "failed") return [];
    // Seen in a list (the baseline at start, or a re-list): Helm keeps old revisions, so a failed
    // one matters only while it is the release's latest.
    if (ev.type === "SYNC") {
      const newer = [...ctx.lookup("helmReleases")].some((o) => {
        const l = releaseLabels(o);
        return (
          l?.name === labels.name && l.namespace === labels.namespace && Number(l.revision) > Number(labels.revision)
        );
      });
      if (newer) return [];
    }
    return [
      {
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: { kind: "HelmRelease", namespace: labels.namespace, name: labels.name },
        evidence: `revision ${labels.revision} is now \`failed\` (Secret \`${ev.obj.metadata?.name ?? "?"}\`)`,
        likelyCause:
          "the upgrade was applied only in part (hooks or resources failed, or a timeout). Keep the failed state for diagnosis, then `helm rollback` or upgrade again with fixed values.",
        hint: `helm history ${labels.name} -n ${labels.namespace}`,
        observedAt: ctx.now,
      },
    ];
  },
};
