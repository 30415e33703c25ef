// What nodes say about themselves (status.nodeInfo), grouped the way people fix them: nodes of one
// image (same OS, kernel, runtime, kubelet) are one node group, one finding, not one per node.
// Also the two kubelet gauges the node checks read from /metrics through the node proxy.
import type { KubeObject } from "../kube/resources.ts";
import type { ObjectRef } from "./types.ts";

export interface NodeInfo {
  osImage?: string;
  kernelVersion?: string;
  containerRuntimeVersion?: string;
  kubeletVersion?: string;
  operatingSystem?: string;
}

/** status.nodeInfo with every field checked to be a non-empty string. */
export function nodeInfoOf(node: KubeObject): NodeInfo {
  const raw = node?.status?.nodeInfo;
  if (!raw || typeof raw !== "object") return {};
  const pick = (k: string) => (typeof raw[k] === "string" && raw[k] !== "" ? (raw[k] as string) : undefined);
  return {
    osImage: pick("osImage"),
    kernelVersion: pick("kernelVersion"),
    containerRuntimeVersion: pick("containerRuntimeVersion"),
    kubeletVersion: pick("kubeletVersion"),
    operatingSystem: pick("operatingSystem"),
  };
}

export interface NodeGroup<T> {
  /** What the nodes share (the grouping key's parts), e.g. osImage and kernel. */
  facts: T;
  nodes: KubeObject[];
}

/** Groups nodes by the facts `keyOf` returns (compared as JSON), keeping first-seen order. */
export function groupNodes<T>(nodes: readonly KubeObject[], keyOf: (n: KubeObject) => T): NodeGroup<T>[] {
  const groups = new Map<string, NodeGroup<T>>();
  for (const n of nodes) {
    if (!n || typeof n !== "object") continue;
    const facts = keyOf(n);
    const key = JSON.stringify(facts);
    const g = groups.get(key);
    if (g) g.nodes.push(n);
    else groups.set(key, { facts, nodes: [n] });
  }
  return [...groups.values()];
}

export const nodeName = (n: KubeObject) => n?.metadata?.name ?? "(unnamed)";

/** The group's finding names its first node; the message lists the rest. */
export function groupRef(group: NodeGroup<unknown>): ObjectRef {
  return { apiVersion: "v1", kind: "Node", name: nodeName(group.nodes[0]) };
}

/** "node a" or "3 nodes (a, b, c)"; long groups are cut after five names. */
export function describeNodes(nodes: readonly KubeObject[]): string {
  const names = nodes.map(nodeName);
  if (names.length === 1) return `node ${names[0]}`;
  const shown = names.slice(0, 5).join(", ");
  return `${names.length} nodes (${shown}${names.length > 5 ? `, … ${names.length - 5} more` : ""})`;
}

/** Linux kernel "3.10.0-1160.el7.x86_64" → [3, 10]; undefined when not a dotted version. */
export function kernelMajorMinor(kernel: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(kernel ?? "");
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function kernelBefore(kernel: [number, number], major: number, minor: number): boolean {
  return kernel[0] < major || (kernel[0] === major && kernel[1] < minor);
}

export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Samples of one metric family from Prometheus text exposition. Only what the node checks need:
 * `name{labels} value [timestamp]` lines; a line that does not parse is skipped, never guessed.
 */
export function metricSamples(text: string, name: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith(name) || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    if (!m || m[1] !== name) continue;
    const value = Number(m[4]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const lm of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    out.push({ labels, value });
  }
  return out;
}
