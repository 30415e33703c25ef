// Watch throughput: a 10,000-pod sandbox receiving ~1,000 pod updates a second for ~10 s (status
// changes written through sandbox.store.upsert in batches of 100 every 100 ms), 1% of them a
// container entering CrashLoopBackOff. Measures event-to-alert latency (write → chat post) for the
// events that should alert, and this process's CPU and memory while the watch runs. The sandbox,
// redis-server client and watch share this one process, so CPU is an upper bound for the watch.
import { Redis } from "ioredis";
import { consoleTraits } from "../adapters/console/consoleTraits.ts";
import type { ChatMessage, ChatPoster, PostedMessage } from "../src/chat/types.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../src/kube/resources.ts";
import { startEmbeddedRedis } from "../src/redis/embeddedRedis.ts";
import { watchAlertTexts } from "../src/render/watch.ts";
import { startSandbox } from "../src/sandbox/index.ts";
import { AlertSink } from "../src/watch/alertSink.ts";
import { WatchSession } from "../src/watch/session.ts";
import { WatchStateStore } from "../src/watch/stateStore.ts";

const PODS = 10_000;
const RATE = 1_000;
const SECONDS = 10;
const BATCH_MS = 100;

function pod(i: number, restarts: number, crash: boolean): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `p-${i}`, namespace: `ns-${i % 50}`, labels: { app: `a-${i % 200}` } },
    spec: { nodeName: `node-${i % 100}`, containers: [{ name: "app", image: "app:1.0.0" }] },
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "app",
          ready: !crash,
          restartCount: restarts,
          state: crash
            ? { waiting: { reason: "CrashLoopBackOff" } }
            : { running: { startedAt: "2026-01-01T00:00:00Z" } },
        },
      ],
    },
  };
}

class CountingPoster implements ChatPoster {
  readonly platform = "console" as const;
  readonly traits = consoleTraits;
  n = 0;
  async postRoot(_c: string, _m: ChatMessage): Promise<PostedMessage> {
    const id = String(++this.n);
    return { id, thread: id };
  }
  async postInThread(): Promise<string> {
    return String(++this.n);
  }
  async update(): Promise<void> {}
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function benchWatch(): Promise<Record<string, unknown>> {
  const redisServer = await startEmbeddedRedis();
  const sandbox = await startSandbox({
    objects: Array.from({ length: PODS }, (_, i) => pod(i, 0, false)),
    watchWindow: 50_000,
  });
  const redis = new Redis(redisServer.url);
  try {
    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("bench"), { timeoutMs: 15_000 });
    const state = new WatchStateStore(redis, "bench", "bench", "w1");
    const written = new Map<string, number>();
    const latencies: number[] = [];
    const poster = new CountingPoster();
    const sink = new AlertSink({
      redis,
      prefix: "bench",
      cluster: "bench",
      poster,
      channel: "C",
      threadsKey: state.threadsKey,
      countsKey: state.countsKey,
      texts: watchAlertTexts("bench"),
      // The flood limit would turn most of these alerts into one summary; lifted to time every one.
      floodLimit: 1_000_000,
      onPosted: (d, at) => {
        const t0 = written.get(d.subject.name);
        if (t0 !== undefined) latencies.push(at - t0);
      },
    });
    const session = new WatchSession({
      cluster: "bench",
      client: clusters.client("bench"),
      kubeConfig: clusters.kubeConfig("bench"),
      state,
      sink,
      resources: ["pods"],
      persistEveryMs: 2_000,
    });
    const t0 = Date.now();
    await session.start();
    await session.connected();
    const startupMs = Date.now() - t0;

    const cpu0 = process.cpuUsage();
    let peakRss = 0;
    let peakHeap = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 250);
    const runStart = Date.now();
    let writes = 0;
    let expectedAlerts = 0;
    const perBatch = (RATE * BATCH_MS) / 1000;
    for (let b = 0; b < (SECONDS * 1000) / BATCH_MS; b++) {
      const due = runStart + b * BATCH_MS;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      for (let k = 0; k < perBatch; k++) {
        const i = (b * perBatch + k) % PODS;
        const crash = writes % 100 === 0;
        if (crash) {
          expectedAlerts++;
          written.set(`p-${i}`, Date.now());
        }
        sandbox.store.upsert(pod(i, 1 + Math.floor(writes / PODS), crash));
        writes++;
      }
    }
    const writeMs = Date.now() - runStart;
    const drainStart = Date.now();
    while (latencies.length < expectedAlerts && Date.now() - drainStart < 15_000)
      await new Promise((r) => setTimeout(r, 50));
    await session.idle();
    const runMs = Date.now() - runStart;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const events = session.stats.events;
    await session.stop();
    latencies.sort((a, b) => a - b);
    return {
      pods: PODS,
      writes,
      writeSeconds: writeMs / 1000,
      eventsReceived: events,
      eventsPerSecond: Math.round(events / (runMs / 1000)),
      startupListAndWatchMs: startupMs,
      expectedAlerts,
      alertsPosted: latencies.length,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) },
      cpuSeconds: {
        user: cpu.user / 1e6,
        system: cpu.system / 1e6,
        percentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e3 / runMs) * 100),
      },
      memoryMB: { peakRss: Math.round(peakRss / 1e6), peakHeap: Math.round(peakHeap / 1e6) },
      note: "one process holds sandbox API server, watch and Redis client; CPU includes the sandbox's JSON serialisation of each event",
    };
  } finally {
    redis.disconnect();
    await sandbox.close();
    await redisServer.stop();
  }
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchWatch(), null, 2));
}
