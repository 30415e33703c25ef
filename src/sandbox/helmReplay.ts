// Remakes a seeded sandbox's Helm releases with real Helm: each hand-built release Secret (from a
// scenario) is replaced by what `helm install`/`helm upgrade` write for the same chart name,
// version, appVersion and kubeVersion, so the demo shows releases exactly as Helm stores them. A
// release stuck pending-upgrade is made the way it happens: Helm killed while it waits for a
// pre-upgrade hook Job that never completes. Only histories Helm can make this way are remade
// (empty manifests; superseded… then deployed or pending-upgrade); any other, or any Helm
// error, keeps the hand-built Secrets, as does a machine without the binary.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { groupReleases, HELM_RELEASE_TYPE, type ReleaseGroup, releaseFromSecret } from "../helm/release.ts";
import type { KubeObject } from "../kube/resources.ts";
import { ROLLOUT_ANNOTATION } from "./controllers/common.ts";
import type { SandboxServer } from "./server.ts";

export interface ReplayResult {
  /** namespace/name of each release Helm remade. */
  remade: string[];
  /** namespace/name → why the hand-built Secrets were kept. */
  kept: Record<string, string>;
}

const HELM_TIMEOUT_MS = 30_000;

interface Step {
  chart: { name: string; version: string; appVersion?: string; kubeVersion?: string };
  status: string;
}

/** Why Helm cannot make this history by install/upgrade, or undefined when it can. */
function plan(group: ReleaseGroup): Step[] | string {
  const steps: Step[] = [];
  for (const [i, rev] of group.revisions.entries()) {
    if (rev.labels.revision !== i + 1) return "revisions are not numbered 1..n";
    const release = releaseFromSecret(rev.secret);
    if (!release) return `revision ${rev.labels.revision} does not decode`;
    if (release.manifest.trim() !== "") return "its manifest holds objects (they exist in the scenario already)";
    const last = i === group.revisions.length - 1;
    // Helm leaves the previous revision deployed while an upgrade is pending, superseded once it is done.
    const next = group.revisions[i + 1]?.labels.status;
    const ok = last
      ? rev.labels.status === "deployed" || (i > 0 && rev.labels.status === "pending-upgrade")
      : rev.labels.status ===
        (next === "pending-upgrade" && i === group.revisions.length - 2 ? "deployed" : "superseded");
    if (!ok) return `status ${rev.labels.status} at revision ${rev.labels.revision} is not made by install/upgrade`;
    steps.push({ chart: release.chart, status: rev.labels.status });
  }
  return steps;
}

/** A pre-upgrade hook Job the sandbox never completes (the rollout annotation says never). */
function holdingJob(release: string): string {
  return stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: `${release}-pre-upgrade`,
      annotations: { "helm.sh/hook": "pre-upgrade", [ROLLOUT_ANNOTATION]: "never" },
    },
    spec: {
      backoffLimit: 0,
      template: {
        spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "registry.k8s.io/pause:3.10" }] },
      },
    },
  });
}

function writeChart(root: string, step: Step, hook?: string): string {
  const dir = mkdtempSync(join(root, "chart-"));
  const chartDir = join(dir, step.chart.name);
  mkdirSync(join(chartDir, "templates"), { recursive: true });
  const meta: Record<string, string> = { apiVersion: "v2", name: step.chart.name, version: step.chart.version };
  if (step.chart.appVersion) meta.appVersion = step.chart.appVersion;
  if (step.chart.kubeVersion) meta.kubeVersion = step.chart.kubeVersion;
  writeFileSync(join(chartDir, "Chart.yaml"), stringify(meta));
  if (hook) writeFileSync(join(chartDir, "templates", "hook.yaml"), hook);
  return chartDir;
}

function run(helm: string, env: NodeJS.ProcessEnv, args: string[]): { child: ChildProcess; done: Promise<string> } {
  const child = spawn(helm, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const done = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), HELM_TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`helm ${args[0]} ${args[1]}: ${signal ?? `exit ${code}`}: ${output.trim()}`));
    });
  });
  return { child, done };
}

function releaseSecrets(sandbox: SandboxServer, namespace: string, name: string): KubeObject[] {
  return sandbox.store
    .list("v1", "Secret", namespace)
    .filter(
      (s) => s.type === HELM_RELEASE_TYPE && s.metadata?.labels?.owner === "helm" && s.metadata.labels.name === name,
    );
}

async function remake(
  sandbox: SandboxServer,
  helm: string,
  root: string,
  env: NodeJS.ProcessEnv,
  group: ReleaseGroup,
  steps: Step[],
) {
  const { name, namespace } = group;
  const base = ["--kubeconfig", join(root, "kubeconfig"), "-n", namespace];
  for (const [i, step] of steps.entries()) {
    const verb = i === 0 ? "install" : "upgrade";
    if (step.status === "pending-upgrade") {
      const chart = writeChart(root, step, holdingJob(name));
      const { child, done } = run(helm, env, [
        "upgrade",
        name,
        chart,
        ...base,
        "--history-max",
        "0",
        "--timeout",
        "10m",
      ]);
      done.catch(() => undefined);
      const deadline = Date.now() + HELM_TIMEOUT_MS;
      const isPending = () =>
        releaseSecrets(sandbox, namespace, name).some(
          (s) => s.metadata?.labels?.version === String(i + 1) && s.metadata.labels.status === "pending-upgrade",
        );
      const hookJob = () => sandbox.store.get("batch/v1", "Job", namespace, `${name}-pre-upgrade`) !== undefined;
      while (!(isPending() && hookJob())) {
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill("SIGKILL");
          throw new Error(`helm upgrade ${name} never reached pending-upgrade`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGKILL");
      await new Promise((r) =>
        child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once("exit", r),
      );
      continue;
    }
    const chart = writeChart(root, step);
    await run(helm, env, [verb, name, chart, ...base, ...(i === 0 ? ["--create-namespace"] : ["--history-max", "0"])])
      .done;
  }
}

/**
 * Replaces every remakeable hand-built release in the sandbox with one made by `helm`. Never
 * throws: what cannot be remade keeps its hand-built Secrets, and the result says why.
 */
export async function remakeReleasesWithHelm(sandbox: SandboxServer, helm: string): Promise<ReplayResult> {
  const result: ReplayResult = { remade: [], kept: {} };
  const secrets = sandbox.store.list("v1", "Secret").filter((s) => s.type === HELM_RELEASE_TYPE);
  const { groups } = groupReleases(secrets);
  if (groups.length === 0) return result;
  const root = mkdtempSync(join(tmpdir(), "upshift-demo-helm-"));
  try {
    sandbox.writeKubeconfig(join(root, "kubeconfig"));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: root,
      HELM_CACHE_HOME: join(root, "cache"),
      HELM_CONFIG_HOME: join(root, "config"),
      HELM_DATA_HOME: join(root, "data"),
    };
    // Two Helm processes at a time: the machine may be small, and each release is sequential anyway.
    await inPool(groups, 2, async (group) => {
      const key = `${group.namespace}/${group.name}`;
      const steps = plan(group);
      if (typeof steps === "string") {
        result.kept[key] = steps;
        return;
      }
      const originals = group.revisions.map((r) => r.secret);
      for (const s of originals) sandbox.store.remove("v1", "Secret", group.namespace, s.metadata?.name ?? "");
      try {
        await remake(sandbox, helm, root, env, group, steps);
        result.remade.push(key);
      } catch (err) {
        for (const s of releaseSecrets(sandbox, group.namespace, group.name))
          sandbox.store.remove("v1", "Secret", group.namespace, s.metadata?.name ?? "");
        for (const s of originals) sandbox.store.upsert(s);
        result.kept[key] = (err as Error).message;
      }
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  result.remade.sort();
  return result;
}

async function inPool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
