// HELM-01 during a watch: a release revision that stays pending-* longer than a threshold
// (INCIDENTS 3: the upgrade waited forever on a release stuck in pending). The timer starts when
// this watch first sees the revision pending and survives a worker takeover (persisted timers).
import { PENDING_STATUSES, releaseLabels } from "../../helm/release.ts";
import type { AlertDraft, ObjectEvent, RuleContext, WatchRule } from "../types.ts";

const PREFIX = "helm-pending:";

export const helmPendingRule: WatchRule = {
  id: "watch-helm-pending",
  reason: "HelmReleasePending",
  severity: "high",
  check: "HELM-01",
  resources: ["helmReleases"],
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[] {
    const labels = releaseLabels(ev.obj);
    if (!labels) return [];
    const key = `${PREFIX}${labels.namespace}/${labels.name}/${labels.revision}/${labels.status}`;
    const pending = (PENDING_STATUSES as readonly string[]).includes(labels.status);
    if (ev.type !== "DELETED" && pending) {
      if (ctx.timers.get(key) === undefined) ctx.timers.set(key, ctx.now);
    } else {
      for (const [k] of ctx.timers.entries(`${PREFIX}${labels.namespace}/${labels.name}/${labels.revision}/`))
        ctx.timers.delete(k);
    }
    return [];
  },
  onTick(ctx: RuleContext): AlertDraft[] {
    const out: AlertDraft[] = [];
    for (const [key, since] of ctx.timers.entries(PREFIX)) {
      if (ctx.now - since < ctx.options.helmPendingMs) continue;
      const [namespace, name, revision, status] = key.slice(PREFIX.length).split("/");
      ctx.timers.delete(key);
      out.push({
        ruleId: this.id,
        reason: this.reason,
        severity: this.severity,
        check: this.check,
        subject: { kind: "HelmRelease", namespace, name },
        evidence: `revision ${revision} has been \`${status}\` for ${Math.round((ctx.now - since) / 1000)} s (since this watch first saw it)`,
        likelyCause:
          "Helm was interrupted or is waiting on resources that never become ready; the release is locked until it is rolled back or upgraded by hand (`helm history`, `helm rollback`).",
        hint: `helm history ${name} -n ${namespace}`,
        observedAt: ctx.now,
      });
    }
    return out;
  },
};
