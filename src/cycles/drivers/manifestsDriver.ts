// Add-ons declared in upshift.yaml as plain manifests (a YAML file or a directory of them).
// disable deletes the add-on's objects but keeps data (PVCs, PVs, Secrets unless the plan says
// otherwise; Namespaces always, since deleting one deletes everything in it); enable
// server-side-applies the configured version as field manager "upshift" and waits, with a
// deadline, for its Deployments, DaemonSets and StatefulSets to become available.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import {
  ApiException,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type RequestContext,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import type { AddonConfig } from "../../config/schema.ts";
import type { ClusterClient } from "../../kube/clusterClient.ts";
import type { KubeObject } from "../../kube/resources.ts";
import type { ActionOutput, AddonBackup, AddonDriver, AddonState, VerifyResult } from "../types.ts";
import { trimOutput } from "./exec.ts";
import { verifyNamespace, waitForRollout } from "./verify.ts";

const WORKLOAD_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet"]);
const APPLY_FIRST = [
  "Namespace",
  "CustomResourceDefinition",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "ConfigMap",
  "Secret",
];

/** Sets a deadline on every request, since KubernetesObjectApi has no timeout of its own. */
class TimedHttpLibrary extends IsomorphicFetchHttpLibrary {
  private readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super();
    this.timeoutMs = timeoutMs;
  }
  override send(request: RequestContext) {
    request.setSignal(AbortSignal.timeout(this.timeoutMs));
    return super.send(request);
  }
}

class TimedObjectApi extends KubernetesObjectApi {
  static withTimeout(kc: KubeConfig, timeoutMs: number): TimedObjectApi {
    const api = kc.makeApiClient(TimedObjectApi);
    api.setDefaultNamespace(kc);
    api.configuration = { ...api.configuration, httpApi: new TimedHttpLibrary(timeoutMs) };
    return api;
  }
}

function imageTagOf(workload: KubeObject): string | undefined {
  const image = workload.spec?.template?.spec?.containers?.[0]?.image;
  if (typeof image !== "string" || image.includes("@")) return undefined;
  const tag = image.slice(image.lastIndexOf("/") + 1).split(":")[1];
  return tag || undefined;
}

export function stripServerFields(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  delete copy.status;
  if (copy.metadata) {
    for (const f of [
      "uid",
      "resourceVersion",
      "creationTimestamp",
      "managedFields",
      "generation",
      "selfLink",
    ] as const) {
      delete (copy.metadata as Record<string, unknown>)[f];
    }
  }
  return copy;
}

/** Reads a YAML file or every .yaml/.yml file of a directory (sorted), skipping empty documents. */
export function loadManifests(path: string): KubeObject[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(path, f))
    : [path];
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const o = doc.toJS() as KubeObject | null;
      if (!o) continue;
      if (!o.apiVersion || !o.kind || !o.metadata?.name)
        throw new Error(`${file}: every object needs apiVersion, kind and metadata.name`);
      objects.push(o);
    }
  }
  return objects;
}

export interface ManifestsDriverOptions {
  kc: KubeConfig;
  client: ClusterClient;
  addons: readonly AddonConfig[];
  /** Relative manifest paths resolve against this (the directory of upshift.yaml). */
  baseDir?: string;
  requestTimeoutMs?: number;
  rolloutDeadlineMs?: number;
  pollMs?: number;
}

export class ManifestsDriver implements AddonDriver {
  readonly name = "manifests" as const;
  readonly idempotent = true;
  private readonly opts: ManifestsDriverOptions;
  private readonly api: KubernetesObjectApi;

  constructor(opts: ManifestsDriverOptions) {
    this.opts = opts;
    this.api = TimedObjectApi.withTimeout(opts.kc, opts.requestTimeoutMs ?? 15_000);
  }

  async status(): Promise<AddonState[]> {
    const states: AddonState[] = [];
    for (const cfg of this.opts.addons.filter((a) => a.driver === "manifests")) {
      const objects = this.objectsOf(cfg);
      let present = false;
      let version: string | undefined;
      for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind!))) {
        const live = await this.read(o);
        if (!live) continue;
        present = true;
        // The version label when the add-on carries one; else the tag of its first image, which
        // is what installs made before labels were common (MicroK8s' own manifests) can offer.
        version ??= live.metadata?.labels?.["app.kubernetes.io/version"] ?? imageTagOf(live);
      }
      states.push({
        name: cfg.name,
        driver: "manifests",
        status: present ? "enabled" : "disabled",
        version,
        expectedVersion: cfg.version,
        namespace: cfg.namespace ?? objects.find((o) => o.metadata?.namespace)?.metadata?.namespace,
      });
    }
    return states;
  }

  async backup(addon: string): Promise<AddonBackup> {
    const cfg = this.config(addon);
    const objects: KubeObject[] = [];
    for (const o of this.objectsOf(cfg)) {
      const live = await this.read(o);
      if (live) objects.push(stripServerFields(live));
    }
    return {
      addon,
      driver: "manifests",
      takenAt: new Date().toISOString(),
      objects,
      config: { version: cfg.version, manifests: cfg.manifests },
    };
  }

  async disable(addon: string, opts: { keepKinds: readonly string[] }): Promise<ActionOutput> {
    const keep = new Set([...opts.keepKinds, "Namespace", "CustomResourceDefinition"]);
    const lines: string[] = [];
    const objects = this.objectsOf(this.config(addon));
    for (const o of [...objects].reverse()) {
      const id = `${o.kind}/${o.metadata?.name}`;
      if (keep.has(o.kind!)) {
        lines.push(`kept ${id}`);
        continue;
      }
      try {
        await this.api.delete(o as KubernetesObject, undefined, undefined, undefined, undefined, "Background");
        lines.push(`deleted ${id}`);
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) lines.push(`${id} was already gone`);
        else throw new Error(`deleting ${id}: ${describe(err)}`);
      }
    }
    await this.waitGone(objects.filter((o) => !keep.has(o.kind!)));
    return { action: `delete ${addon}'s objects`, output: trimOutput(lines.join("\n")) };
  }

  async enable(addon: string): Promise<ActionOutput> {
    const cfg = this.config(addon);
    return this.applyAll(addon, this.objectsOf(cfg), `apply ${addon} ${cfg.version ?? ""}`.trim(), this.deadline(cfg));
  }

  async restore(addon: string, backup: AddonBackup): Promise<ActionOutput> {
    return this.applyAll(
      addon,
      backup.objects,
      `restore ${addon} from the backup of ${backup.takenAt}`,
      this.deadline(this.config(addon)),
    );
  }

  async verify(addon: string): Promise<VerifyResult> {
    const cfg = this.config(addon);
    const objects = this.objectsOf(cfg);
    const ns = cfg.namespace ?? objects.find((o) => o.metadata?.namespace)?.metadata?.namespace;
    if (!ns) return { ok: true, details: ["no namespaced objects to verify"] };
    const names = new Set(
      objects.filter((o) => WORKLOAD_KINDS.has(o.kind!)).map((o) => `${o.kind}/${o.metadata?.name}`),
    );
    const missing: string[] = [];
    for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind!))) {
      if (!(await this.read(o))) missing.push(`${o.kind}/${o.metadata?.name} does not exist`);
    }
    const v = await verifyNamespace(this.opts.client, ns, { deadlineMs: this.deadline(cfg), names });
    return missing.length ? { ok: false, details: [...missing, ...v.details] } : v;
  }

  /** The add-on's stepTimeout from upshift.yaml bounds its rollout wait; else the driver's default. */
  private deadline(cfg: AddonConfig): number {
    return cfg.stepTimeout ?? this.opts.rolloutDeadlineMs ?? 5 * 60_000;
  }

  private async applyAll(
    addon: string,
    objects: KubeObject[],
    action: string,
    deadlineMs: number,
  ): Promise<ActionOutput> {
    const rank = (k: string | undefined) => {
      const i = APPLY_FIRST.indexOf(k ?? "");
      return i === -1 ? APPLY_FIRST.length : i;
    };
    const ordered = [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));
    const lines: string[] = [];
    for (const o of ordered) {
      const id = `${o.kind}/${o.metadata?.name}`;
      try {
        await this.api.patch(
          stripServerFields(o) as KubernetesObject,
          undefined,
          undefined,
          "upshift",
          true,
          PatchStrategy.ServerSideApply,
        );
        lines.push(`applied ${id}`);
      } catch (err) {
        throw new Error(`applying ${id}: ${describe(err)}`);
      }
    }
    const workloads = ordered.filter((o) => WORKLOAD_KINDS.has(o.kind!));
    const namespaces = new Set(workloads.map((o) => o.metadata?.namespace ?? "default"));
    for (const ns of namespaces) {
      const names = new Set(
        workloads
          .filter((o) => (o.metadata?.namespace ?? "default") === ns)
          .map((o) => `${o.kind}/${o.metadata?.name}`),
      );
      const r = await waitForRollout(this.opts.client, ns, {
        deadlineMs,
        pollMs: this.opts.pollMs,
        names,
      });
      lines.push(...r.details);
      if (!r.ok) throw new Error(`${addon} did not roll out: ${r.details.join("; ")}`);
    }
    return { action, output: trimOutput(lines.join("\n")) };
  }

  private async waitGone(objects: KubeObject[]): Promise<void> {
    const until = Date.now() + (this.opts.rolloutDeadlineMs ?? 5 * 60_000);
    for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind!))) {
      while (await this.read(o)) {
        if (Date.now() >= until) throw new Error(`${o.kind}/${o.metadata?.name} still exists after delete`);
        await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 250));
      }
    }
  }

  private async read(o: KubeObject): Promise<KubeObject | undefined> {
    try {
      return (await this.api.read({
        apiVersion: o.apiVersion!,
        kind: o.kind!,
        metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace },
      })) as KubeObject;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw new Error(`reading ${o.kind}/${o.metadata?.name}: ${describe(err)}`);
    }
  }

  private config(addon: string): AddonConfig {
    const cfg = this.opts.addons.find((a) => a.name === addon && a.driver === "manifests");
    if (!cfg) throw new Error(`add-on "${addon}" is not declared with driver: manifests in upshift.yaml`);
    return cfg;
  }

  private objectsOf(cfg: AddonConfig): KubeObject[] {
    if (!cfg.manifests) throw new Error(`addons.${cfg.name}.manifests: expected a path to a YAML file or directory`);
    const path = isAbsolute(cfg.manifests) ? cfg.manifests : resolve(this.opts.baseDir ?? process.cwd(), cfg.manifests);
    return loadManifests(path).map((o) =>
      o.metadata?.namespace || !cfg.namespace || o.kind === "Namespace"
        ? o
        : { ...o, metadata: { ...o.metadata, namespace: cfg.namespace } },
    );
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiException) {
    let msg = String(err.body ?? "");
    try {
      msg = (JSON.parse(msg) as { message?: string }).message ?? msg;
    } catch {
      // body is not a Status
    }
    return `HTTP ${err.code}: ${msg.slice(0, 300)}`;
  }
  return (err as Error).message;
}
