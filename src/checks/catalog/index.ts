// The whole preflight catalogue, in the order reports list checks of equal severity.
import type { Check } from "../types.ts";
import { releaseAndVersionChecks } from "./releaseAndVersionChecks.ts";
import { workloadChecks } from "./workloadChecks.ts";

export const allChecks: readonly Check[] = [...releaseAndVersionChecks, ...workloadChecks];

export function checksById(ids: readonly string[]): Check[] {
  return ids.map((id) => {
    const check = allChecks.find((c) => c.id === id);
    if (!check) throw new Error(`unknown check id ${id}`);
    return check;
  });
}
