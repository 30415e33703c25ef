// One preflight run against one cluster: resolve the target, read the cluster once, run the
// catalogue, return a report. Shared by the worker (chat) and `upshift check` (terminal).
import type { IgnoreRule } from "../config/schema.ts";
import { InvalidTargetError } from "../errors/invalidTargetError.ts";
import type { ClusterClient } from "../kube/clusterClient.ts";
import {
  formatFull,
  formatMinor,
  horizonWarning,
  KNOWLEDGE_HORIZON,
  nextMinor,
  parseKubeVersion,
  parseTargetVersion,
} from "../versions/kube.ts";
import { contextFromLists } from "./context.ts";
import { type CheckRun, countBySeverity, runChecks, type Verdict, verdictOf } from "./runner.ts";
import { readSnapshot } from "./snapshot.ts";
import type { Check, Finding, Severity } from "./types.ts";

export interface CheckReport {
  cluster: string;
  serverVersion: string;
  target: string;
  /** The newest Kubernetes minor Upshift's knowledge covers (KNOWLEDGE_HORIZON), stated in every report. */
  knowledgeHorizon: string;
  /** Caveats about the whole report, e.g. a target beyond the horizon. */
  warnings: string[];
  verdict: Verdict;
  findings: Finding[];
  counts: Record<Severity, number>;
  suppressed: number;
  /** Every check that ran, passing ones too; absent in reports stored before it existed. */
  checks?: CheckRun[];
  checkedAt: string;
  durationMs: number;
  /** Of durationMs, the time until the last list arrived (the rest is checks that needed it). */
  readMs: number;
  apiRequests: number;
}

export interface PreflightOptions {
  checks: readonly Check[];
  target?: string;
  ignoreRules?: readonly IgnoreRule[];
  now?: Date;
  listConcurrency?: number;
  /** Parsed `microk8s status --format yaml` where the worker runs on this MicroK8s cluster (ADD-01). */
  microk8sStatus?: () => Promise<unknown>;
  /** UPSHIFT_HELM_NAMESPACES: read Helm release Secrets only there (the RoleBinding mode). */
  helmNamespaces?: readonly string[];
  /** Called once the server version and target are known, before the (long) read. */
  /** `target` is MAJOR.MINOR; `targetFull` keeps a patch the user asked for (1.32.3). */
  onStart?: (info: { serverVersion: string; target: string; targetFull: string }) => Promise<void> | void;
}

/** Resolves "1.32", "v1.32.0" or undefined (next minor) against the server's version. */
export function resolveTarget(serverVersion: string, target?: string): { minor: string; full: string } {
  const server = parseKubeVersion(serverVersion);
  if (!server)
    throw new InvalidTargetError(`the server reports version "${serverVersion}", which is not a Kubernetes version`);
  if (target === undefined) {
    const next = nextMinor(server);
    return { minor: formatMinor(next), full: formatMinor(next) };
  }
  // The same strict rule as the chat grammar and `upshift check --target`; the error does not
  // echo the input (it may come from a queued job written by an older bot).
  const parsed = parseTargetVersion(target);
  if (!parsed.ok) throw new InvalidTargetError(`target version: ${parsed.error}`);
  return { minor: formatMinor(parsed.value), full: formatFull(parsed.value) };
}

export async function runPreflight(client: ClusterClient, opts: PreflightOptions): Promise<CheckReport> {
  const started = performance.now();
  const serverVersion = await client.serverVersion();
  const target = resolveTarget(serverVersion, opts.target);
  await opts.onStart?.({ serverVersion, target: target.minor, targetFull: target.full });
  // Read everything first, then check. Evaluating checks while the big lists still page in was
  // measured slower: a check holding the event loop delays every list's next page request.
  const snapshot = await readSnapshot(
    client,
    opts.checks.flatMap((c) => c.reads),
    {
      concurrency: opts.listConcurrency,
      readMetrics: opts.checks.some((c) => c.readsMetrics),
      probeSecretRefs: opts.checks.some((c) => c.readsSecretRefs),
      helmNamespaces: opts.helmNamespaces,
      readNodeMetrics: opts.checks.some((c) => c.readsNodeMetrics),
    },
  );
  const readMs = Math.round(performance.now() - started);
  const now = opts.now ?? new Date();
  const ctx = contextFromLists(snapshot.lists, {
    cluster: client.name,
    serverVersion,
    target: target.minor,
    targetFull: target.full,
    apiServerMetrics: snapshot.apiServerMetrics,
    kubeletMetrics: snapshot.kubeletMetrics,
    microk8sStatus: await opts.microk8sStatus?.().catch(() => undefined),
    now,
    secrets: snapshot.secrets,
  });
  const { findings, suppressed, runs } = await runChecks(opts.checks, ctx, opts.ignoreRules);
  return {
    cluster: client.name,
    serverVersion,
    target: target.minor,
    knowledgeHorizon: formatMinor(KNOWLEDGE_HORIZON),
    warnings: [horizonWarning(parseKubeVersion(target.minor)!)].filter((w): w is string => w !== undefined),
    verdict: verdictOf(findings),
    findings,
    counts: countBySeverity(findings),
    suppressed,
    checks: runs,
    checkedAt: now.toISOString(),
    durationMs: Math.round(performance.now() - started),
    readMs,
    apiRequests: snapshot.requests + 1,
  };
}
