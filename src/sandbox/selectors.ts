// Label and field selectors with the real API server's grammar and its field-label whitelist,
// so a typo answers 400 BadRequest here exactly as it would against a cluster.
import type { KubeObject } from "../kube/resources.ts";

export class SelectorError extends Error {}

type LabelRequirement =
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: "in" | "notin"; values: Set<string> }
  | { key: string; op: "=" | "!="; value: string };

export type Matcher = (obj: KubeObject) => boolean;

const KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses ("a in (x,y),b" -> two parts). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function checkKey(key: string, selector: string): string {
  if (!KEY_RE.test(key))
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE_RE.test(value) || value.length > 63) {
    throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${selector}"`);
  }
  return value;
}

export function parseLabelSelector(selector: string): Matcher | undefined {
  const parts = splitTopLevel(selector);
  if (parts.length === 0) return undefined;
  const reqs: LabelRequirement[] = parts.map((part) => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3]
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "")
        .map((v) => checkValue(v, selector));
      if (values.length === 0)
        throw new SelectorError(
          `unable to parse requirement: for 'in', 'notin' operators, values set can't be empty in "${selector}"`,
        );
      return { key: checkKey(m[1], selector), op: m[2] as "in" | "notin", values: new Set(values) };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (m) {
      return {
        key: checkKey(m[1], selector),
        op: m[2] === "!=" ? "!=" : "=",
        value: checkValue(m[3].trim(), selector),
      };
    }
    m = /^!\s*(\S+)$/.exec(part);
    if (m) return { key: checkKey(m[1], selector), op: "!exists" };
    if (/^\S+$/.test(part)) return { key: checkKey(part, selector), op: "exists" };
    throw new SelectorError(`unable to parse requirement: "${part}" in label selector "${selector}"`);
  });
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    for (const r of reqs) {
      const has = Object.hasOwn(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case "exists":
          if (!has) return false;
          break;
        case "!exists":
          if (has) return false;
          break;
        case "=":
          if (!has || v !== r.value) return false;
          break;
        case "!=":
          if (has && v === r.value) return false;
          break;
        case "in":
          if (!has || !r.values.has(v)) return false;
          break;
        case "notin":
          if (has && r.values.has(v)) return false;
          break;
      }
    }
    return true;
  };
}

const COMMON_FIELDS = ["metadata.name", "metadata.namespace"];
/** Field labels each kind supports beyond metadata.name/namespace (kube-apiserver's conversion funcs). */
const KIND_FIELDS: Record<string, string[]> = {
  Pod: [
    "status.phase",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  Event: [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Secret: ["type"],
  Namespace: ["status.phase"],
  Node: ["spec.unschedulable"],
  ReplicaSet: ["status.replicas"],
  Job: ["status.successful"],
};

function fieldValue(obj: KubeObject, path: string): string {
  if (path === "source") return String((obj as { source?: { component?: string } }).source?.component ?? "");
  // biome-ignore lint/suspicious/noExplicitAny: walking an arbitrary object by a dotted path
  let cur: any = obj;
  for (const part of path.split(".")) cur = cur?.[part];
  if (cur === undefined || cur === null) return "";
  return String(cur);
}

/** Parses a field selector for `kind`; unsupported field labels are a BadRequest, as on a real server. */
export function parseFieldSelector(selector: string, kind: string, custom: boolean): Matcher | undefined {
  const parts = selector
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) return undefined;
  const allowed = new Set([...COMMON_FIELDS, ...(KIND_FIELDS[kind] ?? [])]);
  const reqs = parts.map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const field = m[1].trim();
    if (!allowed.has(field)) {
      const what = custom
        ? `field label not supported: ${field}`
        : `"${field}" is not a known field selector: only "${[...allowed].join('", "')}"`;
      throw new SelectorError(what);
    }
    return { field, negate: m[2] === "!=", value: m[3].trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}
