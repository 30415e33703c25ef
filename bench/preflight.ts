// Preflight benchmarks (issue 14), each figure as { value, goal, holds }:
// - floor: `upshift check` as a whole process against the raw read (bench/rawRead.ts: the same
//   lists, page size and concurrency with only fetch + JSON.parse, a fresh process), at 1× and 8×
//   the synthetic cluster (19,200 and 153,600 objects). Goal: check / raw read <= 1.5 at both.
// - memory: peak RSS of that `upshift check` at 8×. Goal < 400 MB.
// - scale: the sandbox (`upshift sandbox`, a process of its own) loading the 8× fixture: seconds
//   until it serves, and RSS per object over an empty sandbox's.
// - warm: in one warm process, the bare paged read against the full check at 1× (a worker's case).
// The sandbox always runs in a child process so the RSS measured is Upshift's alone. The machine
// is shared: the load average is in the report, and CPU time (user + system) is beside wall time.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allChecks } from "../src/checks/catalog/index.ts";
import { runPreflight } from "../src/checks/preflight.ts";
import { DEFAULT_LIST_CONCURRENCY, readSnapshot } from "../src/checks/snapshot.ts";
import { resourcePath } from "../src/kube/clusterClient.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { RESOURCES, type ResourceDef, type ResourceKey } from "../src/kube/resources.ts";
import { SANDBOX_TOKEN } from "../src/sandbox/kubeconfig.ts";
import { syntheticCluster } from "./syntheticCluster.ts";

const ROOT = new URL("../", import.meta.url).pathname;

interface SandboxProcess {
  kubeconfig: string;
  url: string;
  objects: number;
  /** From spawn to "listening on". */
  startMs: number;
  rssMB: number;
  stop(): void;
}

/** Generates the fixture in a process of its own, so this process's heap stays small. */
function writeFixture(dir: string, scale: number): { fixture: string; objects: number } {
  const fixture = join(dir, `cluster-${scale}x.json`);
  const objects = Number(
    execFileSync(process.execPath, [new URL(import.meta.url).pathname, "--write-fixture", fixture, String(scale)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    }).trim(),
  );
  return { fixture, objects };
}

async function startSandboxProcess(fixture: string, objects: number, dir: string): Promise<SandboxProcess> {
  const kubeconfig = join(dir, `kubeconfig-${objects}`);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    // Plain HTTP keeps the numbers comparable with earlier runs (TLS is tested in test/sandbox/tls.test.ts).
    [
      join(ROOT, "bin/upshift.js"),
      "sandbox",
      "--fixture",
      fixture,
      "--kubeconfig-out",
      kubeconfig,
      "--context",
      "big",
      "--plain-http",
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("sandbox did not start in 300 s")), 300_000);
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const startMs = performance.now() - started;
  // Let the collector settle what loading left behind before reading the resident set.
  await new Promise((r) => setTimeout(r, 1000));
  return { kubeconfig, url, objects, startMs, rssMB: rssMB(child.pid), stop: () => child.kill("SIGTERM") };
}

function rssMB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** What a whole process cost: wall time from spawn to exit, its CPU time and its peak RSS. */
interface ProcessCost {
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  stdout: string;
}

// Loaded into both measured processes alike: on exit, their own resource usage to a file. A
// process that ran a child Node with the same hook (bin/upshift.js runs `check` so) adds its
// CPU to the child's and keeps the larger peak RSS.
const RUSAGE_HOOK = `data:text/javascript,${encodeURIComponent(
  'import{readFileSync,writeFileSync}from"node:fs";process.on("exit",()=>{const f=process.env.BENCH_RUSAGE_FILE;let p={maxRSS:0,cpu:0};try{p=JSON.parse(readFileSync(f,"utf8"))}catch{}const r=process.resourceUsage();writeFileSync(f,JSON.stringify({maxRSS:Math.max(p.maxRSS,r.maxRSS),cpu:p.cpu+r.userCPUTime+r.systemCPUTime}))});',
)}`;

async function timeProcess(args: string[], dir: string): Promise<ProcessCost> {
  const usageFile = join(dir, "rusage.json");
  rmSync(usageFile, { force: true });
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", RUSAGE_HOOK, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_RUSAGE_FILE: usageFile, LOG_LEVEL: "warn" },
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${args.join(" ")} exited with ${code}`);
  const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRSS: number; cpu: number };
  return { wallMs, cpuMs: usage.cpu / 1000, maxRssMB: Math.round(usage.maxRSS / 1024), stdout };
}

/** The raw read's plan: exactly the requests readSnapshot makes for every check's reads. */
function rawReadPlan(sandbox: SandboxProcess, pageSize: number) {
  const wanted = new Set<ResourceKey>(allChecks.flatMap((c) => c.reads));
  return {
    server: sandbox.url,
    token: SANDBOX_TOKEN,
    pageSize,
    concurrency: DEFAULT_LIST_CONCURRENCY,
    lists: [...wanted].map((k) => {
      const def: ResourceDef = RESOURCES[k];
      return { path: resourcePath(def), labelSelector: def.labelSelector, fieldSelector: def.fieldSelector };
    }),
    gets: [
      "/version",
      ...(allChecks.some((c) => c.readsMetrics) ? ["/metrics"] : []),
      ...(allChecks.some((c) => c.readsNodeMetrics) ? ["/api/v1/nodes/node-0/proxy/metrics"] : []),
    ],
  };
}

/** One figure with its goal and whether it holds, so a regression shows in one line. */
const figure = (value: number, goal: number, kind: "<" | "<=" | ">=" = "<=") => ({
  value,
  goal: `${kind} ${goal}`,
  holds: kind === "<" ? value < goal : kind === "<=" ? value <= goal : value >= goal,
});

/** `upshift check` and the raw read as whole processes, alternating, `runs` times each. */
async function floorAt(sandbox: SandboxProcess, runs: number, dir: string) {
  const pageSize = 500; // ClusterClient's default, which `upshift check` uses
  const plan = JSON.stringify(rawReadPlan(sandbox, pageSize));
  const raw: ProcessCost[] = [];
  const check: ProcessCost[] = [];
  let findings = 0;
  let rawInfo = { objects: 0, requests: 0 };
  for (let run = 0; run < runs; run++) {
    raw.push(await timeProcess([join(ROOT, "bench/rawRead.ts"), plan], dir));
    rawInfo = JSON.parse(raw[raw.length - 1].stdout);
    const c = await timeProcess(
      [
        join(ROOT, "bin/upshift.js"),
        "check",
        ...["--kubeconfig", sandbox.kubeconfig, "--context", "big", "--target", "1.32"],
        ...["--output", "json", "--fail-on", "none"],
      ],
      dir,
    );
    findings = (JSON.parse(c.stdout) as { findings: unknown[] }).findings.length;
    check.push(c);
  }
  const med = (xs: ProcessCost[], k: "wallMs" | "cpuMs" | "maxRssMB") => median(xs.map((x) => x[k]));
  return {
    objectsInCluster: sandbox.objects,
    objectsRead: rawInfo.objects,
    rawReadRequests: rawInfo.requests,
    findings,
    checkOverRawRead: figure(Number((med(check, "wallMs") / med(raw, "wallMs")).toFixed(2)), 1.5),
    checkOverRawReadCpu: Number((med(check, "cpuMs") / med(raw, "cpuMs")).toFixed(2)),
    checkMs: Math.round(med(check, "wallMs")),
    rawReadMs: Math.round(med(raw, "wallMs")),
    checkCpuMs: Math.round(med(check, "cpuMs")),
    rawReadCpuMs: Math.round(med(raw, "cpuMs")),
    checkPeakRssMB: med(check, "maxRssMB"),
    rawReadPeakRssMB: med(raw, "maxRssMB"),
    runs: {
      checkMs: check.map((c) => Math.round(c.wallMs)),
      rawReadMs: raw.map((c) => Math.round(c.wallMs)),
    },
  };
}

/** The floor at 1× and 8×, peak RSS at 8×, and the sandbox's load at 8×. */
async function benchFloor(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "upshift-bench-floor-"));
  try {
    const emptyFixture = join(dir, "empty.json");
    writeFileSync(emptyFixture, JSON.stringify({ apiVersion: "v1", kind: "List", items: [] }));
    const empty = await startSandboxProcess(emptyFixture, 0, dir);
    empty.stop();
    const out: Record<string, unknown> = {};
    for (const [scale, runs] of [
      [1, 5],
      [8, 3],
    ] as const) {
      const { fixture, objects } = writeFixture(dir, scale);
      const sandbox = await startSandboxProcess(fixture, objects, dir);
      try {
        const floor = await floorAt(sandbox, runs, dir);
        out[`floor${scale}x`] = floor;
        if (scale === 8) {
          out.memory = { objectsRead: floor.objectsRead, checkPeakRssMB: figure(floor.checkPeakRssMB, 400, "<") };
          const perObjectKB = ((sandbox.rssMB - empty.rssMB) * 1024) / objects;
          out.scale = {
            objects: figure(objects, 150_000, ">="),
            sandboxStartS: figure(Number((sandbox.startMs / 1000).toFixed(1)), 10),
            sandboxRssMB: sandbox.rssMB,
            emptySandboxRssMB: empty.rssMB,
            // "well under the ~24 KB per object it cost before"
            rssPerObjectKB: figure(Number(perObjectKB.toFixed(1)), 8),
          };
        }
      } finally {
        sandbox.stop();
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchPreflight(): Promise<Record<string, unknown>> {
  const floor = await benchFloor();
  return { ...floor, warm: await benchWarm() };
}

/** One warm process (a worker's case): the bare paged read against the full check, at 1×. */
async function benchWarm(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "upshift-bench-warm-"));
  const { fixture, objects } = writeFixture(dir, 1);
  const sandbox = await startSandboxProcess(fixture, objects, dir);
  try {
    const client = ClusterDirectory.load(sandbox.kubeconfig).client("big");
    const keys = [...new Set(allChecks.flatMap((c) => c.reads))];
    // Warm-up, as a running worker is warm: connection pool, the sandbox's first serialisation,
    // and the JIT for both the read path and the checks.
    for (let i = 0; i < 2; i++) {
      await readSnapshot(client, keys, { readMetrics: true });
      await runPreflight(client, { checks: allChecks, target: "1.32" });
    }

    const bare: number[] = [];
    const full: number[] = [];
    const fullRead: number[] = [];
    let requests = 0;
    let objectsRead = 0;
    let findings = 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let run = 0; run < 5; run++) {
      // Each measurement starts from a collected heap, so one does not pay for the other's garbage.
      gc?.();
      let t = performance.now();
      {
        const snapshot = await readSnapshot(client, keys, { readMetrics: true });
        bare.push(performance.now() - t);
        requests = snapshot.requests;
        objectsRead = [...snapshot.lists.entries()]
          .filter(([k]) => k !== "helmReleases")
          .reduce((n, [, l]) => n + l.length, 0);
      }
      gc?.();
      t = performance.now();
      const report = await runPreflight(client, { checks: allChecks, target: "1.32" });
      full.push(performance.now() - t);
      fullRead.push(report.readMs);
      findings = report.findings.length;
    }
    const bareMs = median(bare);
    const fullMs = median(full);
    return {
      objectsInCluster: sandbox.objects,
      objectsRead,
      checks: allChecks.length,
      apiRequestsPerRun: requests,
      pageSize: client.pageSize,
      listConcurrency: DEFAULT_LIST_CONCURRENCY,
      bareReadMs: Math.round(bareMs),
      fullCheckMs: Math.round(fullMs),
      fullOverBareRead: figure(Number((fullMs / bareMs).toFixed(2)), 1.3),
      findings,
      // The kernel's high-water mark for this process (no sampling timer disturbing the timings).
      peakRssMBAfterAllRunsInOneProcess: Math.round(process.resourceUsage().maxRSS / 1024),
      runs: { bareMs: bare.map(Math.round), fullMs: full.map(Math.round), fullUntilLastListMs: fullRead },
    };
  } finally {
    sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === "--write-fixture") {
    // One JSON `kind: List` (the sandbox reads a JSON fixture with JSON.parse: seconds, not minutes).
    const objects = syntheticCluster(Number(process.argv[4] ?? 1));
    writeFileSync(process.argv[3], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
    console.log(objects.length);
  } else {
    console.log(JSON.stringify(await benchPreflight(), null, 2));
  }
  process.exit(0);
}
