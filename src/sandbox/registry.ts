// Which resources the sandbox serves: the built-in table, every served version of every CRD in
// the store (so CRDs created later appear in discovery), and kinds met in fixtures that nothing
// else describes (plural guessed from the kind, namespaced when the object has a namespace).
import type { KubeObject } from "../kube/resources.ts";
import {
  ALL_VERBS,
  ALPHA_RESOURCES,
  BUILTIN_RESOURCES,
  groupVersionOf,
  guessPlural,
  type ResourceInfo,
  splitApiVersion,
} from "./builtinResources.ts";

export const CRD_GROUP_RESOURCE = "apiextensions.k8s.io/customresourcedefinitions";

/** Storage key shared by all versions of a resource, like etcd's /registry/<group>/<resource>. */
export function groupResource(info: { group: string; plural: string }): string {
  return `${info.group}/${info.plural}`;
}

export class ResourceRegistry {
  private readonly crdSource: () => Iterable<KubeObject>;
  private readonly unknown = new Map<string, ResourceInfo>();
  private index: {
    all: ResourceInfo[];
    byResource: Map<string, ResourceInfo>;
    byKind: Map<string, ResourceInfo>;
  } | null = null;

  constructor(crdSource: () => Iterable<KubeObject>) {
    this.crdSource = crdSource;
  }

  /** Called by the store whenever a CRD is written or removed. */
  invalidate(): void {
    this.index = null;
  }

  all(): ResourceInfo[] {
    return this.build().all;
  }

  byResource(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.build().byResource.get(`${group}/${version}/${plural}`);
  }

  /** Exact version first, else any version of the same group and kind (objects keep their own). */
  byKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    const idx = this.build().byKind;
    return idx.get(`${group}/${version}/${kind}`) ?? idx.get(`${group}//${kind}`);
  }

  /** The resource an object belongs to, registering a guessed one for an unknown kind. */
  forObject(obj: KubeObject): ResourceInfo {
    const apiVersion = obj.apiVersion ?? "";
    const kind = obj.kind ?? "";
    if (!apiVersion || !kind) throw new Error("object needs apiVersion and kind");
    const known = this.byKind(apiVersion, kind);
    if (known && groupVersionOf(known) === apiVersion) return known;
    const { group, version } = splitApiVersion(apiVersion);
    const alpha = ALPHA_RESOURCES.find((a) => a.group === group && a.version === version && a.kind === kind);
    if (alpha) {
      this.unknown.set(`${group}/${version}/${kind}`, alpha);
      this.invalidate();
      return alpha;
    }
    if (known) return known;
    const info: ResourceInfo = {
      group,
      version,
      kind,
      plural: guessPlural(kind),
      singular: kind.toLowerCase(),
      namespaced: Boolean(obj.metadata?.namespace),
      statusSubresource: false,
      verbs: ALL_VERBS,
    };
    this.unknown.set(`${group}/${version}/${kind}`, info);
    this.invalidate();
    return info;
  }

  groupVersions(): Map<string, ResourceInfo[]> {
    const out = new Map<string, ResourceInfo[]>();
    for (const info of this.all()) {
      const gv = groupVersionOf(info);
      const list = out.get(gv);
      if (list) list.push(info);
      else out.set(gv, [info]);
    }
    return out;
  }

  private build() {
    if (this.index) return this.index;
    const all = [...BUILTIN_RESOURCES];
    for (const crd of this.crdSource()) all.push(...crdResources(crd));
    const seen = new Set(all.map((i) => `${i.group}/${i.version}/${i.plural}`));
    for (const info of this.unknown.values()) {
      if (!seen.has(`${info.group}/${info.version}/${info.plural}`)) all.push(info);
    }
    const byResource = new Map<string, ResourceInfo>();
    const byKind = new Map<string, ResourceInfo>();
    for (const info of all) {
      byResource.set(`${info.group}/${info.version}/${info.plural}`, info);
      if (!byKind.has(`${info.group}/${info.version}/${info.kind}`))
        byKind.set(`${info.group}/${info.version}/${info.kind}`, info);
      if (!byKind.has(`${info.group}//${info.kind}`)) byKind.set(`${info.group}//${info.kind}`, info);
    }
    this.index = { all, byResource, byKind };
    return this.index;
  }
}

function crdResources(crd: KubeObject): ResourceInfo[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  if (typeof spec.group !== "string" || typeof names.plural !== "string" || typeof names.kind !== "string") return [];
  const versions: Array<{ name?: unknown; served?: unknown; subresources?: { status?: unknown } }> = Array.isArray(
    spec.versions,
  )
    ? spec.versions
    : [];
  return versions
    .filter((v) => typeof v.name === "string" && v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name as string,
      kind: names.kind,
      plural: names.plural,
      singular: typeof names.singular === "string" ? names.singular : names.kind.toLowerCase(),
      namespaced: spec.scope !== "Cluster",
      shortNames: Array.isArray(names.shortNames) ? names.shortNames : undefined,
      categories: Array.isArray(names.categories) ? names.categories : undefined,
      statusSubresource: Boolean(v.subresources?.status),
      verbs: ALL_VERBS,
    }));
}
