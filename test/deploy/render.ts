// Renders the kustomize overlays with the real kubectl (kustomize v5 built in) and parses the
// objects, for the deploy tests. kubectl only renders here: no cluster is contacted.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/kube/resources.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const KUSTOMIZE_ROOT = `${REPO_ROOT}deploy/kubernetes`;
export const OVERLAYS = ["read-only", "addon-cycles", "with-redis", "helm-namespaces"] as const;
export type Overlay = (typeof OVERLAYS)[number];

const cache = new Map<string, KubeObject[]>();

export function renderKustomization(relDir: string): KubeObject[] {
  const hit = cache.get(relDir);
  if (hit) return hit;
  let out: string;
  try {
    out = execFileSync("kubectl", ["kustomize", `${KUSTOMIZE_ROOT}/${relDir}`], {
      encoding: "utf8",
      timeout: 30_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl kustomize ${relDir} failed: ${e.stderr || e.message}`);
  }
  const objects = parseAllDocuments(out).map((d) => {
    if (d.errors.length) throw new Error(`${relDir}: rendered YAML does not parse: ${d.errors[0].message}`);
    return d.toJS() as KubeObject;
  });
  cache.set(relDir, objects);
  return objects;
}

export const renderOverlay = (overlay: Overlay) => renderKustomization(`overlays/${overlay}`);

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name} rendered`);
  return o;
}

export interface PolicyRuleLike {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export function rulesOf(role: KubeObject): PolicyRuleLike[] {
  return (role.rules as PolicyRuleLike[] | undefined) ?? [];
}
