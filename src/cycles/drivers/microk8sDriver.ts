// MicroK8s add-ons through the microk8s CLI on the node (INCIDENTS case 5): the snap upgrades
// the core, never the add-ons; `disable` then `enable` installs the add-on's current manifest.
// Every command runs with a timeout and its output is kept for the journal and the thread.
import { parse as parseYaml } from "yaml";
import { errorMessage, UpshiftError } from "../../errors/upshiftError.ts";
import type { ClusterClient } from "../../kube/clusterClient.ts";
import { type KubeObject, RESOURCES } from "../../kube/resources.ts";
import { MICROK8S_NAMESPACES, MICROK8S_SELECTORS } from "../plan.ts";
import type { ActionContext, ActionOutput, AddonBackup, AddonDriver, AddonState, VerifyResult } from "../types.ts";
import { type ExecResult, runCommand } from "./exec.ts";
import { stripServerFields } from "./manifestsDriver.ts";
import { verifyNamespace } from "./verify.ts";

export class DriverActionError extends UpshiftError {
  readonly output: ActionOutput;
  constructor(message: string, output: ActionOutput) {
    super(message);
    this.output = output;
  }
}

export interface Microk8sDriverOptions {
  /** Path or name of the CLI (default "microk8s", found on PATH). */
  bin?: string;
  /** Per command; enable of a CNI can take minutes. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** For backups of the add-on's objects and for verification; without it verify only reads the status. */
  client?: ClusterClient;
  verifyDeadlineMs?: number;
  namespaces?: Record<string, string>;
  /** Label selectors of add-ons sharing a namespace (default MICROK8S_SELECTORS). */
  selectors?: Record<string, string>;
}

interface StatusYaml {
  microk8s?: { running?: boolean };
  addons?: Array<{ name?: string; repository?: string; version?: string; status?: string }>;
}

export class Microk8sDriver implements AddonDriver {
  readonly name = "microk8s" as const;
  private readonly bin: string;
  private readonly timeoutMs: number;
  private readonly opts: Microk8sDriverOptions;

  constructor(opts: Microk8sDriverOptions = {}) {
    this.opts = opts;
    this.bin = opts.bin ?? "microk8s";
    this.timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  }

  async status(): Promise<AddonState[]> {
    const doc = await this.readStatus();
    return (doc.addons ?? [])
      .filter(
        (a): a is { name: string; repository?: string; version?: string; status?: string } =>
          typeof a?.name === "string",
      )
      .map((a) => ({
        name: a.name,
        driver: "microk8s" as const,
        status: a.status === "enabled" ? "enabled" : a.status === "disabled" ? "disabled" : "unknown",
        version: a.version,
        repository: a.repository,
        namespace: this.namespaceOf(a.name),
      }));
  }

  async backup(addon: string): Promise<AddonBackup> {
    const doc = await this.readStatus();
    const entry = (doc.addons ?? []).find((a) => a?.name === addon);
    const objects: KubeObject[] = [];
    const ns = this.namespaceOf(addon);
    if (this.opts.client && ns) {
      for (const key of ["configmaps", "services", "deployments", "daemonsets", "statefulsets"] as const) {
        for (const o of await this.opts.client.listAll(RESOURCES[key], { namespace: ns }))
          objects.push(stripServerFields(o));
      }
    }
    return { addon, driver: "microk8s", takenAt: new Date().toISOString(), objects, config: entry ?? null };
  }

  async disable(addon: string, _opts: { keepKinds: readonly string[] }, ctx?: ActionContext): Promise<ActionOutput> {
    return this.must(["disable", addon], ctx);
  }

  async enable(addon: string, ctx?: ActionContext): Promise<ActionOutput> {
    // The core repository ships the add-on manifests; refresh it so enable installs the current one.
    const update = await this.must(["addons", "repo", "update", "core"], ctx);
    const enable = await this.must(["enable", addon], ctx);
    return { action: `${update.action}; ${enable.action}`, output: `${update.output}\n${enable.output}`.trim() };
  }

  async restore(addon: string, _backup: AddonBackup, ctx?: ActionContext): Promise<ActionOutput> {
    // MicroK8s cannot pin an add-on version: restoring means enabling what the repository ships.
    const r = await this.must(["enable", addon], ctx);
    return {
      action: r.action,
      output: `${r.output}\n(MicroK8s enables the repository's version; the backup is kept for manual restore)`.trim(),
    };
  }

  async verify(addon: string): Promise<VerifyResult> {
    const state = (await this.status()).find((s) => s.name === addon);
    if (state?.status !== "enabled")
      return { ok: false, details: [`microk8s status: ${addon} is ${state?.status ?? "not listed"}`] };
    const details = [`microk8s status: ${addon} enabled${state.version ? ` (${state.version})` : ""}`];
    const ns = this.namespaceOf(addon);
    if (!this.opts.client || !ns) return { ok: true, details };
    const labelSelector = (this.opts.selectors ?? MICROK8S_SELECTORS)[addon];
    const v = await verifyNamespace(this.opts.client, ns, {
      deadlineMs: this.opts.verifyDeadlineMs ?? 5 * 60_000,
      labelSelector,
    });
    return { ok: v.ok, details: [...details, ...v.details] };
  }

  private namespaceOf(addon: string): string | undefined {
    return this.opts.namespaces?.[addon] ?? MICROK8S_NAMESPACES[addon];
  }

  private async readStatus(): Promise<StatusYaml> {
    const r = await this.run(["status", "--format", "yaml"]);
    if (r.code !== 0) throw new Error(`microk8s status failed (exit ${r.code}): ${r.output}`);
    let doc: StatusYaml;
    try {
      doc = (parseYaml(r.output) ?? {}) as StatusYaml;
    } catch (err) {
      throw new Error(`microk8s status --format yaml did not print YAML: ${errorMessage(err)}`);
    }
    if (doc.microk8s?.running === false) throw new Error("microk8s is not running (microk8s.running: false)");
    return doc;
  }

  private run(args: string[], ctx?: ActionContext): Promise<ExecResult> {
    let recorded: Promise<void> = Promise.resolve();
    return runCommand(this.bin, args, {
      timeoutMs: this.timeoutMs,
      env: this.opts.env,
      onSpawn: (pid) => {
        recorded = ctx?.recordProcess?.(pid) ?? Promise.resolve();
      },
    }).then(async (r) => {
      await recorded;
      return r;
    });
  }

  private async must(args: string[], ctx?: ActionContext): Promise<ActionOutput> {
    const r = await this.run(args, ctx);
    const out = { action: `microk8s ${args.join(" ")}`, output: r.output };
    if (r.code !== 0) throw new DriverActionError(`microk8s ${args.join(" ")} failed (exit ${r.code})`, out);
    return out;
  }
}
