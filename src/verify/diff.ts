// Compares a cluster now with its baseline: what the upgrade changed, what got worse, what is left
// to do, what got better. Pure (two baselines in, a VerifyResult out), so every rule is tested
// without a cluster; the worker and `upshift verify` only gather the two sides.
import { ADDON_IMAGE_RULES, coerceVersion, forMinor } from "../addons/knownAddonVersions.ts";
import { SEVERITY_RANK, type Severity } from "../checks/types.ts";
import { PENDING_STATUSES } from "../helm/release.ts";
import { formatMinor, parseKubeVersion } from "../versions/kube.ts";
import type { BaselineFinding, ClusterBaseline } from "./baseline.ts";

export const VERIFY_VERDICTS = ["healthy", "degraded", "incomplete"] as const;
export type VerifyVerdict = (typeof VERIFY_VERDICTS)[number];

export interface WorseItem {
  severity: Severity;
  text: string;
}

export interface LeftItem {
  text: string;
  /** The command that would do it, e.g. "/upgrade-cycle prod dns". */
  command?: string;
}

export interface VerifyResult {
  cluster: string;
  verdict: VerifyVerdict;
  baseline: { takenAt: string; serverVersion: string; target: string };
  now: { takenAt: string; serverVersion: string };
  /** Set when the comparison has a caveat: no upgrade since the baseline, a downgrade, cut lists. */
  notes: string[];
  changed: string[];
  worse: WorseItem[];
  left: LeftItem[];
  better: string[];
}

/** Severity rank of the worst item that got worse, for --fail-on. */
export function worstSeverity(r: VerifyResult): Severity | undefined {
  return [...r.worse].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])[0]?.severity;
}

const FAILED_RELEASE = new Set<string>([...PENDING_STATUSES, "failed"]);

function compareVersions(a: string, b: string): number {
  const x = coerceVersion(a);
  const y = coerceVersion(b);
  if (!x || !y) return a === b ? 0 : a < b ? -1 : 1;
  return x.compare(y);
}

/** "v1.31.4 (3 nodes)" or "v1.31.4 (2 nodes), v1.32.0 (1 node)": a version distribution. */
function distribution(counts: Map<string, number>, unit: [string, string]): string {
  const entries = [...counts.entries()].sort((a, b) => compareVersions(a[0], b[0]));
  return entries.map(([v, n]) => `${v} (${n} ${n === 1 ? unit[0] : unit[1]})`).join(", ") || "none";
}

function tally<T>(
  items: readonly T[],
  key: (t: T) => string | undefined,
  weight: (t: T) => number,
): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of items) {
    const k = key(t);
    if (k === undefined) continue;
    m.set(k, (m.get(k) ?? 0) + weight(t));
  }
  return m;
}

function sameTally(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function findingKey(f: BaselineFinding): string {
  return `${f.check}|${f.object}`;
}

function findingText(f: BaselineFinding): string {
  return `${f.check} ${f.object}${f.message ? `: ${f.message}` : ""}`;
}

/** Newest kubelet or kube-proxy version among the nodes, and the server's version: what "upgraded" means. */
function behind(version: string, server: string): boolean {
  const v = parseKubeVersion(version);
  const s = parseKubeVersion(server);
  if (!v || !s) return false;
  if (v.major !== s.major) return v.major < s.major;
  if (v.minor !== s.minor) return v.minor < s.minor;
  return (v.patch ?? 0) < (s.patch ?? 0);
}

export function diffBaselines(before: ClusterBaseline, now: ClusterBaseline): VerifyResult {
  const changed: string[] = [];
  const worse: WorseItem[] = [];
  const left: LeftItem[] = [];
  const better: string[] = [];
  const notes: string[] = [];

  // What the upgrade changed: the server, control-plane components, node software, add-ons.
  const serverMoved = before.serverVersion !== now.serverVersion;
  if (serverMoved) changed.push(`Kubernetes server: ${before.serverVersion} → ${now.serverVersion}`);
  const components = new Set([...before.components, ...now.components].map((c) => c.component));
  for (const component of [...components].sort()) {
    const t = (b: ClusterBaseline) =>
      tally(
        b.components.filter((c) => c.component === component),
        (c) => c.version,
        (c) => c.count,
      );
    const [x, y] = [t(before), t(now)];
    if (!sameTally(x, y))
      changed.push(`${component}: ${distribution(x, ["pod", "pods"])} → ${distribution(y, ["pod", "pods"])}`);
  }
  const nodeField = (field: "kubelet" | "kubeProxy" | "runtime", label: string) => {
    const t = (b: ClusterBaseline) =>
      tally(
        b.nodeGroups,
        (g) => g[field],
        (g) => g.count,
      );
    const [x, y] = [t(before), t(now)];
    if (!sameTally(x, y))
      changed.push(`${label}: ${distribution(x, ["node", "nodes"])} → ${distribution(y, ["node", "nodes"])}`);
    return !sameTally(x, y);
  };
  const kubeletsMoved = nodeField("kubelet", "kubelet");
  const proxiesMoved = nodeField("kubeProxy", "kube-proxy");
  nodeField("runtime", "container runtime");
  const addonNames = new Map([...before.addons, ...now.addons].map((a) => [a.addon, a.name]));
  const addonVersions = (b: ClusterBaseline, addon: string) =>
    [...new Set(b.addons.filter((a) => a.addon === addon).map((a) => a.version))].sort(compareVersions);
  let addonsMoved = false;
  for (const [addon, name] of addonNames) {
    const [x, y] = [addonVersions(before, addon), addonVersions(now, addon)];
    if (x.join() === y.join()) continue;
    addonsMoved = true;
    changed.push(`${name}: ${x.join(", ") || "not installed"} → ${y.join(", ") || "removed"}`);
  }
  const beforeReleases = new Map(before.releases.map((r) => [`${r.namespace}/${r.name}`, r]));
  for (const r of now.releases) {
    const was = beforeReleases.get(`${r.namespace}/${r.name}`);
    if (was && was.revision !== r.revision)
      changed.push(
        `Helm release ${r.namespace}/${r.name}: revision ${was.revision} → ${r.revision}${was.chart !== r.chart && r.chart ? ` (${was.chart ?? "?"} → ${r.chart})` : ""}`,
      );
  }
  const beforeCrds = new Map(before.crds.map((c) => [c.name, c]));
  for (const c of now.crds) {
    const was = beforeCrds.get(c.name);
    if (!was) continue;
    if (was.versions.join() !== c.versions.join() || was.storedVersions.join() !== c.storedVersions.join())
      changed.push(
        `CRD ${c.name}: served ${was.versions.join(", ")} → ${c.versions.join(", ")}; stored ${was.storedVersions.join(", ")} → ${c.storedVersions.join(", ")}`,
      );
  }
  const upgraded = serverMoved || kubeletsMoved || proxiesMoved || addonsMoved || changed.length > 0;

  // What got worse.
  const beforeWorkloads = new Map(before.workloads.map((w) => [w.key, w]));
  const nowWorkloads = new Map(now.workloads.map((w) => [w.key, w]));
  const cutWorkloads = (before.truncated?.workloads ?? 0) > 0;
  for (const w of now.workloads) {
    const was = beforeWorkloads.get(w.key);
    if (w.crashLooping > 0 && (!was || was.crashLooping === 0))
      worse.push({
        severity: "high",
        text: `${w.key}: ${plural(w.crashLooping, "container")} in CrashLoopBackOff (none at the baseline)`,
      });
    if (was) {
      if (w.ready < was.ready && w.ready < w.desired)
        worse.push({
          severity: w.ready === 0 ? "blocker" : "high",
          text: `${w.key}: ${w.ready}/${w.desired} ready (was ${was.ready}/${was.desired})`,
        });
      else if (w.restarts > was.restarts && w.crashLooping === 0)
        // A restart or two happens in any rollout; five or more since the baseline is a pattern.
        worse.push({
          severity: w.restarts - was.restarts >= 5 ? "medium" : "low",
          text: `${w.key}: ${plural(w.restarts - was.restarts, "more container restart", "more container restarts")}`,
        });
      if (was.ready < was.desired && w.ready >= w.desired && w.desired > 0)
        better.push(`${w.key}: ${w.ready}/${w.desired} ready again (was ${was.ready}/${was.desired})`);
    } else if (!cutWorkloads && w.ready < w.desired) {
      worse.push({ severity: "medium", text: `${w.key} (new since the baseline): ${w.ready}/${w.desired} ready` });
    }
  }
  for (const w of before.workloads)
    if (!nowWorkloads.has(w.key) && (now.truncated?.workloads ?? 0) === 0 && w.desired > 0)
      worse.push({ severity: "medium", text: `${w.key} is gone (it had ${w.ready}/${w.desired} ready)` });

  for (const r of now.releases) {
    const was = beforeReleases.get(`${r.namespace}/${r.name}`);
    const bad = FAILED_RELEASE.has(r.status);
    if (bad && (!was || was.status !== r.status || was.revision !== r.revision))
      worse.push({
        severity: "high",
        text: `Helm release ${r.namespace}/${r.name} is ${r.status} at revision ${r.revision}${was ? ` (was ${was.status} at ${was.revision})` : " (new since the baseline)"}`,
      });
    if (!bad && was && FAILED_RELEASE.has(was.status))
      better.push(`Helm release ${r.namespace}/${r.name}: ${was.status} → ${r.status} (revision ${r.revision})`);
  }

  const beforeNodes = new Map(before.nodeProblems.map((n) => [n.name, n]));
  const nowNodes = new Map(now.nodeProblems.map((n) => [n.name, n]));
  for (const n of now.nodeProblems) {
    const was = beforeNodes.get(n.name);
    if (!n.ready && (!was || was.ready))
      worse.push({ severity: "high", text: `Node ${n.name} is NotReady${was ? "" : " (Ready at the baseline)"}` });
    if (n.cordoned && !was?.cordoned)
      worse.push({ severity: "medium", text: `Node ${n.name} is cordoned (schedulable at the baseline)` });
  }
  for (const n of before.nodeProblems) {
    const is = nowNodes.get(n.name);
    if (!n.ready && (!is || is.ready)) better.push(`Node ${n.name} is Ready again`);
    if (n.cordoned && !is?.cordoned) better.push(`Node ${n.name} is schedulable again`);
  }
  if (now.nodeCount < before.nodeCount)
    worse.push({
      severity: "medium",
      text: `${plural(before.nodeCount - now.nodeCount, "node")} fewer than at the baseline (${before.nodeCount} → ${now.nodeCount})`,
    });

  const beforePdbs = new Map(before.pdbs.map((p) => [p.key, p]));
  for (const p of now.pdbs) {
    const was = beforePdbs.get(p.key);
    if (p.disruptionsAllowed === 0 && was && was.disruptionsAllowed > 0)
      worse.push({
        severity: "medium",
        text: `${p.key} now blocks drains: 0 disruptions allowed (was ${was.disruptionsAllowed})`,
      });
    if (p.disruptionsAllowed === 0 && !was && (before.truncated?.pdbs ?? 0) === 0)
      worse.push({
        severity: "medium",
        text: `${p.key} (new since the baseline) blocks drains: 0 disruptions allowed`,
      });
    if (p.disruptionsAllowed > 0 && was && was.disruptionsAllowed === 0)
      better.push(`${p.key} allows ${plural(p.disruptionsAllowed, "disruption")} again`);
  }

  const beforeFindings = new Set(before.findings.map(findingKey));
  const nowFindings = new Set(now.findings.map(findingKey));
  const cutFindings = (before.truncated?.findings ?? 0) > 0;
  for (const f of now.findings)
    if (f.severity !== "info" && !beforeFindings.has(findingKey(f)) && !cutFindings)
      worse.push({ severity: f.severity, text: `New finding ${findingText(f)}` });
  if ((now.truncated?.findings ?? 0) === 0)
    for (const f of before.findings)
      if (!nowFindings.has(findingKey(f))) better.push(`Resolved: ${f.check} ${f.object}`);

  // What is left to do: only after something moved (an upgrade happened or is under way).
  if (upgraded) {
    const server = now.serverVersion;
    for (const [field, label] of [
      ["kubelet", "kubelet"],
      ["kubeProxy", "kube-proxy"],
    ] as const) {
      // Still on the old version: one the nodes ran at the baseline, older than the server now. A
      // node that came up after the baseline on another patch is not a leftover of this upgrade.
      const old = new Set(before.nodeGroups.map((g) => g[field]));
      for (const g of now.nodeGroups) {
        const v = g[field];
        if (!v || !old.has(v) || !behind(v, server)) continue;
        const names =
          g.examples.join(", ") + (g.count > g.examples.length ? `, … ${g.count - g.examples.length} more` : "");
        left.push({ text: `${plural(g.count, "node")} still on ${label} ${v} (server ${server}): ${names}` });
      }
    }
    const minor = parseKubeVersion(now.serverVersion);
    // An add-on is left behind when it runs below the oldest release upstream supports on the
    // server's minor (the ADD-01 tables). Unchanged alone is no sign: kubeadm keeps CoreDNS when
    // its pinned version did not move between minors.
    for (const [addon, name] of addonNames) {
      const y = addonVersions(now, addon);
      const rule = ADDON_IMAGE_RULES.find((r) => r.addon === addon);
      const minimum = rule && minor ? forMinor(rule.minimumByMinor, minor)?.value : undefined;
      const below = minimum ? y.filter((v) => compareVersions(v, minimum) < 0) : [];
      if (below.length === 0) continue;
      const was = addonVersions(before, addon).join() === y.join() ? `, unchanged since ${before.serverVersion}` : "";
      left.push({
        text: `${name} still at ${below.join(", ")} (below ${minimum}, the oldest release supported on ${formatMinor(minor!)}${was})`,
        command: `/upgrade-cycle ${now.cluster} ${addon}`,
      });
    }
    for (const f of now.findings)
      if (f.check === "CRD-01") left.push({ text: `CRD not upgraded with its controller: ${findingText(f)}` });
  }

  // Caveats about the comparison itself.
  if (!upgraded)
    notes.push(
      `No upgrade since the baseline: the server is still ${now.serverVersion} and no node or add-on version moved.`,
    );
  if (compareVersions(before.serverVersion, now.serverVersion) > 0)
    notes.push(
      `The baseline's server version ${before.serverVersion} is newer than now's ${now.serverVersion}: a downgrade, or another cluster under this context name.`,
    );
  else if (!serverMoved && (kubeletsMoved || proxiesMoved))
    notes.push(
      `The server was already ${now.serverVersion} at the baseline: it predates the node upgrade, not the control-plane upgrade.`,
    );
  for (const [list, n] of Object.entries({ ...before.truncated, ...now.truncated }))
    if (n > 0) notes.push(`The ${list} list was cut to stay small; entries beyond it were not compared.`);

  const verdict: VerifyVerdict = worse.some((w) => w.severity !== "info")
    ? "degraded"
    : left.length > 0
      ? "incomplete"
      : "healthy";
  return {
    cluster: now.cluster,
    verdict,
    baseline: { takenAt: before.takenAt, serverVersion: before.serverVersion, target: before.target },
    now: { takenAt: now.takenAt, serverVersion: now.serverVersion },
    notes,
    changed,
    worse: worse.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]),
    left,
    better,
  };
}
