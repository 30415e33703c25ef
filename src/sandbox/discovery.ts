// Legacy discovery documents (/api, /apis, /apis/{group}/{version}) built from the registry, and
// /version. kubectl 1.32 asks for aggregated discovery first and falls back to these when the
// answer's Content-Type is plain application/json, as it is here.
import type { ResourceInfo } from "./builtinResources.ts";
import type { ResourceRegistry } from "./registry.ts";

export function versionInfo(gitVersion: string) {
  const m = /^v?(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m ? m[1] : "1",
    minor: m ? m[2] : "31",
    gitVersion,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2024-12-10T00:00:00Z",
    goVersion: "go1.22.10",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1). */
export function compareKubeApiVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return a.localeCompare(b);
}

export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupsOf(registry: ResourceRegistry): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const info of registry.all()) {
    if (!info.group) continue;
    const versions = groups.get(info.group) ?? [];
    if (!versions.includes(info.version)) versions.push(info.version);
    groups.set(info.group, versions);
  }
  for (const versions of groups.values()) versions.sort(compareKubeApiVersions);
  return groups;
}

function apiGroup(name: string, versions: string[]) {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groupsOf(registry)].map(([name, versions]) => apiGroup(name, versions)),
  };
}

export function apiGroupDoc(registry: ResourceRegistry, group: string) {
  const versions = groupsOf(registry).get(group);
  return versions ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group, versions) } : undefined;
}

function resourceEntries(info: ResourceInfo) {
  const main: Record<string, unknown> = {
    name: info.plural,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: info.verbs,
  };
  if (info.shortNames?.length) main.shortNames = info.shortNames;
  if (info.categories?.length) main.categories = info.categories;
  const out = [main];
  if (info.statusSubresource) {
    out.push({
      name: `${info.plural}/status`,
      singularName: "",
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: ["get", "patch", "update"],
    });
  }
  return out;
}

export function apiResourceList(registry: ResourceRegistry, groupVersion: string) {
  const infos = registry.groupVersions().get(groupVersion);
  if (!infos) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: infos.flatMap(resourceEntries),
  };
}
