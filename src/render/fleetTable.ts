// The /upgrade-check all summary: one monospace table, one row per cluster. Column widths come
// from the content (cluster names are any length), so every column lines up in a code block.
import { SEVERITIES, type Severity } from "../checks/types.ts";

export interface FleetRow {
  cluster: string;
  /** "v1.31.4 → 1.32"; absent when the cluster could not be checked. */
  versions?: string;
  verdict?: string;
  counts?: Record<Severity, number>;
  /** Why the check could not run. */
  failure?: string;
}

const COUNT_HEADERS: Record<Exclude<Severity, "info">, string> = {
  blocker: "blocker",
  high: "high",
  medium: "medium",
  low: "low",
};

/** Rows sorted by cluster; numbers right-aligned under their headers; a failure spans the rest. */
export function renderFleetTable(rows: readonly FleetRow[]): string {
  const severities = SEVERITIES.filter((s) => s !== "info") as Array<keyof typeof COUNT_HEADERS>;
  const header = ["cluster", "version", "verdict", ...severities.map((s) => COUNT_HEADERS[s])];
  const sorted = [...rows].sort((a, b) => a.cluster.localeCompare(b.cluster));
  const cells = sorted.map((r) =>
    r.failure !== undefined
      ? [r.cluster, "-", `could not check: ${r.failure}`]
      : [r.cluster, r.versions ?? "-", r.verdict ?? "-", ...severities.map((s) => String(r.counts?.[s] ?? 0))],
  );
  const len = (cell: string) => [...cell].length;
  const isFailure = (c: string[]) => c.length < header.length;
  // A failure's last cell spans the remaining columns and is not measured: it may run long.
  const width = header.map((h, i) => {
    let w = len(h);
    for (const c of cells) if (i < c.length && !(isFailure(c) && i === c.length - 1)) w = Math.max(w, len(c[i]));
    return w;
  });
  const line = (c: string[]) =>
    c
      .map((cell, i) => {
        if (isFailure(c) && i === c.length - 1) return cell;
        const pad = " ".repeat(width[i] - len(cell));
        return i >= 3 ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return ["```", line(header), ...cells.map(line), "```"].join("\n");
}
