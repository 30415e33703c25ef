// Release gates: a breaking change belongs to one Kubernetes minor (cgroup v1 refused from 1.35,
// IPVS deprecated from 1.35...). A check declares the minors it knows about (`appliesTo`) and
// reports only those the upgrade crosses: current < X ≤ target. "current" is the API server's
// minor, or, for node-level changes, the minor the node's own kubelet runs (a 1.34 kubelet under a
// 1.35 control plane still crosses 1.35 when it is upgraded).
import { formatMinor, type KubeVersion, minorDistance, parseKubeVersion } from "../versions/kube.ts";
import type { CheckContext } from "./types.ts";

/** "1.35" → {1,35}; throws on a malformed table entry so a typo fails the tests, not a run. */
export function minorOf(minor: string): KubeVersion {
  const v = parseKubeVersion(minor);
  if (!v || v.patch !== undefined) throw new Error(`release gate: "${minor}" is not MAJOR.MINOR`);
  return v;
}

/** The upgrade as two minors, or undefined when either side is not a version (SKEW-03 reports that). */
export function upgradeSpan(ctx: CheckContext, from?: string): { from: KubeVersion; to: KubeVersion } | undefined {
  const current = parseKubeVersion(from ?? ctx.serverVersion);
  const target = parseKubeVersion(ctx.targetFull) ?? parseKubeVersion(ctx.target);
  if (!current || !target) return undefined;
  return { from: { major: current.major, minor: current.minor }, to: { major: target.major, minor: target.minor } };
}

/** Whether moving from `from` to `to` crosses minor X: from < X ≤ to. */
export function crossesMinor(span: { from: KubeVersion; to: KubeVersion }, minor: string): boolean {
  const x = minorOf(minor);
  return minorDistance(span.from, x) > 0 && minorDistance(x, span.to) >= 0;
}

/**
 * The minors of `appliesTo` this upgrade crosses, oldest first. `from` overrides the current
 * version (a node's kubelet version); default the server's.
 */
export function crossedMinors(ctx: CheckContext, appliesTo: readonly string[], from?: string): string[] {
  const span = upgradeSpan(ctx, from);
  if (!span) return [];
  return [...appliesTo].filter((m) => crossesMinor(span, m)).sort((a, b) => minorDistance(minorOf(b), minorOf(a)));
}

/** Whether the target is at or past minor X (a change that stays in force once it landed). */
export function targetAtOrPast(ctx: CheckContext, minor: string): boolean {
  const span = upgradeSpan(ctx);
  return span !== undefined && minorDistance(minorOf(minor), span.to) >= 0;
}

export function spanText(ctx: CheckContext): string {
  const span = upgradeSpan(ctx);
  return span ? `${formatMinor(span.from)} → ${formatMinor(span.to)}` : `${ctx.serverVersion} → ${ctx.target}`;
}
