// meta.k8s.io Table rendering, which `kubectl get` asks for: the real server's columns for the
// kinds people look at most (pods, deployments, nodes, namespaces), NAME and AGE for the rest.
import type { KubeObject } from "../kube/resources.ts";
import type { ResourceInfo } from "./builtinResources.ts";

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = "None" | "Object" | "Metadata";

/** kubectl's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (y < 8) return `${y}y${d % 365}d`;
  return `${y}y`;
}

function col(name: string, type = "string", format = "", priority = 0): ColumnDefinition {
  return { name, type, format, description: name, priority };
}

function age(obj: KubeObject): string {
  const ts = obj.metadata?.creationTimestamp;
  const t = ts ? Date.parse(ts) : Number.NaN;
  return Number.isNaN(t) ? "<unknown>" : humanDuration(Date.now() - t);
}

type Renderer = { columns: ColumnDefinition[]; cells: (o: KubeObject) => unknown[] };

function podStatus(o: KubeObject): string {
  if (o.metadata?.deletionTimestamp) return "Terminating";
  for (const cs of o.status?.containerStatuses ?? []) {
    const reason = cs?.state?.waiting?.reason ?? cs?.state?.terminated?.reason;
    if (reason) return reason;
  }
  return o.status?.reason ?? o.status?.phase ?? "Unknown";
}

const RENDERERS: Record<string, Renderer> = {
  "/pods": {
    columns: [
      col("Name", "string", "name"),
      col("Ready"),
      col("Status"),
      col("Restarts", "string"),
      col("Age"),
      col("IP", "string", "", 1),
      col("Node", "string", "", 1),
    ],
    cells: (o) => {
      const statuses: Array<{ ready?: boolean; restartCount?: number }> = o.status?.containerStatuses ?? [];
      const total = (o.spec?.containers ?? []).length || statuses.length;
      const ready = statuses.filter((c) => c?.ready).length;
      const restarts = statuses.reduce((n, c) => n + (c?.restartCount ?? 0), 0);
      return [
        o.metadata?.name,
        `${ready}/${total}`,
        podStatus(o),
        String(restarts),
        age(o),
        o.status?.podIP ?? "<none>",
        o.spec?.nodeName ?? "<none>",
      ];
    },
  },
  "apps/deployments": {
    columns: [
      col("Name", "string", "name"),
      col("Ready"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Age"),
    ],
    cells: (o) => [
      o.metadata?.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      age(o),
    ],
  },
  "/nodes": {
    columns: [col("Name", "string", "name"), col("Status"), col("Roles"), col("Age"), col("Version")],
    cells: (o) => {
      const ready = (o.status?.conditions ?? []).find((c: { type?: string }) => c?.type === "Ready");
      const roles = Object.keys(o.metadata?.labels ?? {})
        .filter((l) => l.startsWith("node-role.kubernetes.io/"))
        .map((l) => l.slice("node-role.kubernetes.io/".length));
      return [
        o.metadata?.name,
        ready?.status === "True" ? "Ready" : "NotReady",
        roles.length ? roles.join(",") : "<none>",
        age(o),
        o.status?.nodeInfo?.kubeletVersion ?? "",
      ];
    },
  },
  "/namespaces": {
    columns: [col("Name", "string", "name"), col("Status"), col("Age")],
    cells: (o) => [o.metadata?.name, o.status?.phase ?? "Active", age(o)],
  },
};

const DEFAULT_RENDERER: Renderer = {
  columns: [col("Name", "string", "name"), col("Age")],
  cells: (o) => [o.metadata?.name, age(o)],
};

function rendererFor(info: ResourceInfo): Renderer {
  return RENDERERS[`${info.group}/${info.plural}`] ?? DEFAULT_RENDERER;
}

export function tableRow(info: ResourceInfo, obj: KubeObject, include: IncludeObject, tableApiVersion: string) {
  const row: { cells: unknown[]; object?: unknown } = { cells: rendererFor(info).cells(obj) };
  if (include === "Object") row.object = obj;
  else if (include === "Metadata") {
    row.object = { kind: "PartialObjectMetadata", apiVersion: tableApiVersion, metadata: obj.metadata };
  }
  return row;
}

export function renderTable(
  info: ResourceInfo,
  objects: KubeObject[],
  include: IncludeObject,
  tableApiVersion: string,
  listMeta: Record<string, unknown>,
  withColumns = true,
) {
  return {
    kind: "Table",
    apiVersion: tableApiVersion,
    metadata: listMeta,
    columnDefinitions: withColumns ? rendererFor(info).columns : null,
    rows: objects.map((o) => tableRow(info, o, include, tableApiVersion)),
  };
}
