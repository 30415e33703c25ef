// The physical floor of a preflight read, as a process of its own: the same lists (same label
// selectors, same page size, same lists in flight) read with nothing but `fetch` and
// `JSON.parse`, objects kept until the end as `upshift check` keeps them. No kubeconfig, no
// client-node, no checks. Prints one JSON line. Run by bench/preflight.ts:
//   node bench/rawRead.ts '{"server":..., "token":..., "pageSize":500, "concurrency":4, "paths":[...]}'
interface RawReadPlan {
  server: string;
  token: string;
  pageSize: number;
  concurrency: number;
  /** Lists, each with its query (label and field selectors, or none). */
  lists: Array<{ path: string; labelSelector?: string; fieldSelector?: string }>;
  /** Plain GETs beside the lists (/version, /metrics). */
  gets: string[];
}

const plan = JSON.parse(process.argv[2] ?? "{}") as RawReadPlan;
const headers = { Authorization: `Bearer ${plan.token}`, Accept: "application/json", "User-Agent": "upshift-raw" };
let requests = 0;
let objects = 0;
const kept: unknown[][] = [];

async function readList(path: string, labelSelector?: string, fieldSelector?: string): Promise<void> {
  let token: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(plan.pageSize) });
    if (token) q.set("continue", token);
    if (labelSelector) q.set("labelSelector", labelSelector);
    if (fieldSelector) q.set("fieldSelector", fieldSelector);
    const res = await fetch(`${plan.server}${path}?${q}`, { headers, signal: AbortSignal.timeout(60_000) });
    requests++;
    const text = await res.text();
    if (res.status === 404) return; // an optional resource this cluster does not serve
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    const list = JSON.parse(text) as { items?: unknown[]; metadata?: { continue?: string } };
    const items = list.items ?? [];
    objects += items.length;
    kept.push(items);
    token = list.metadata?.continue || undefined;
  } while (token);
}

const started = performance.now();
const queue = [...plan.lists];
await Promise.all([
  ...Array.from({ length: Math.min(plan.concurrency, queue.length) }, async () => {
    for (let l = queue.shift(); l !== undefined; l = queue.shift())
      await readList(l.path, l.labelSelector, l.fieldSelector);
  }),
  ...plan.gets.map(async (path) => {
    const res = await fetch(`${plan.server}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
    requests++;
    await res.text();
  }),
]);
process.stdout.write(
  `${JSON.stringify({ objects, requests, lists: kept.length, readMs: Math.round(performance.now() - started) })}\n`,
);
