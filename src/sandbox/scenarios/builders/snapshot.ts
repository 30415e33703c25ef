// What every builder shares: the moment the scenarios are a snapshot of, and stable generated
// names (pod suffixes, hashes, uids) so that regenerating writes the same bytes.
import { ALPHANUMS } from "../../controllers/common.ts";

/** Snapshot time: statuses are written as seen at about this moment. */
const T0 = Date.parse("2026-03-01T11:00:00Z");
/** The time `seconds` after the snapshot (negative: before it), as Kubernetes writes timestamps. */
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace(".000Z", "Z");

// biome-ignore lint/suspicious/noExplicitAny: builders write free-form Kubernetes JSON
export type Json = Record<string, any>;

/**
 * A stable made-up hash of `s` (FNV-1a) in the alphabet of generated names, for names and uids
 * that must not change between runs (the sandbox's controllers draw theirs at random).
 */
export function hashOf(s: string, length = 10): string {
  let h = 2166136261;
  let out = "";
  for (let i = 0; i < length; i++) {
    for (const c of `${s}:${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    out += ALPHANUMS[h % ALPHANUMS.length];
  }
  return out;
}
