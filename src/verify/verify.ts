// A preflight that also yields the cluster's baseline (from the lists it read anyway), and a
// verify: that preflight now, compared with a stored baseline. Shared by the check worker, the
// verify worker and the CLI.
import { type CheckReport, type PreflightOptions, runPreflight } from "../checks/preflight.ts";
import type { ClusterClient } from "../kube/clusterClient.ts";
import type { KubeObject, ResourceKey } from "../kube/resources.ts";
import { formatMinor, parseKubeVersion, parseTargetVersion } from "../versions/kube.ts";
import { BASELINE_READS, buildBaseline, type ClusterBaseline } from "./baseline.ts";
import { diffBaselines, type VerifyResult } from "./diff.ts";

export async function preflightWithBaseline(
  client: ClusterClient,
  opts: PreflightOptions,
): Promise<{ report: CheckReport; baseline: ClusterBaseline }> {
  let lists: Map<ResourceKey, KubeObject[]> | undefined;
  const report = await runPreflight(client, {
    ...opts,
    extraReads: [...(opts.extraReads ?? []), ...BASELINE_READS],
    onSnapshot: (l) => {
      lists = l;
      opts.onSnapshot?.(l);
    },
  });
  return { report, baseline: buildBaseline(lists ?? new Map(), report) };
}

/**
 * The target a verify judges findings against: the baseline's, or the server's own minor once the
 * cluster is past it. After 1.31 → 1.32 the baseline judged 1.32, and now 1.32 is what runs: the
 * same findings mean the same thing, and the next upgrade's (1.33) do not show up as "new".
 */
export function verifyTarget(baseline: ClusterBaseline, serverVersion: string): string | undefined {
  const now = parseKubeVersion(serverVersion);
  const judged = parseKubeVersion(baseline.target);
  if (!now) return undefined;
  const later = judged && (judged.major > now.major || (judged.major === now.major && judged.minor > now.minor));
  const target = formatMinor(later ? judged : now);
  // A minor past what Upshift knows is no valid target; the preflight's default (next minor) then.
  return parseTargetVersion(target).ok ? target : undefined;
}

export interface VerifyRun {
  result: VerifyResult;
  report: CheckReport;
  now: ClusterBaseline;
}

/** Reads the cluster once (a full preflight) and compares it with `baseline`. */
export async function runVerify(
  client: ClusterClient,
  baseline: ClusterBaseline,
  opts: Omit<PreflightOptions, "target">,
): Promise<VerifyRun> {
  const serverVersion = await client.serverVersion();
  const { report, baseline: now } = await preflightWithBaseline(client, {
    ...opts,
    target: verifyTarget(baseline, serverVersion),
  });
  return { result: diffBaselines(baseline, now), report, now };
}
