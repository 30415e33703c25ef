// Preflight on a 20,000-object cluster: the bare time to page through every object the checks
// read, against the full check (same reads, plus decoding and every check). The sandbox runs in
// a child process so the RSS measured here is Upshift's alone.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { allChecks } from "../src/checks/catalog/index.ts";
import { runPreflight } from "../src/checks/preflight.ts";
import { DEFAULT_LIST_CONCURRENCY, readSnapshot } from "../src/checks/snapshot.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { syntheticCluster } from "./syntheticCluster.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function startSandboxProcess(): Promise<{ kubeconfig: string; objects: number; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "upshift-bench-"));
  const fixture = join(dir, "cluster.yaml");
  // Generated in a process of its own: building and serialising 20,000 objects would otherwise
  // leave this process's heap (whose RSS is what we measure) hundreds of MB larger.
  const count = Number(
    execFileSync(process.execPath, [new URL(import.meta.url).pathname, "--write-fixture", fixture], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    }).trim(),
  );
  const kubeconfig = join(dir, "kubeconfig");
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
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("sandbox did not start in 120 s")), 120_000);
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return { kubeconfig, objects: count, stop: () => child.kill("SIGTERM") };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchPreflight(): Promise<Record<string, unknown>> {
  const sandbox = await startSandboxProcess();
  try {
    const client = ClusterDirectory.load(sandbox.kubeconfig).client("big");
    const keys = [...new Set(allChecks.flatMap((c) => c.reads))];
    // Warm-up, as a running worker is warm: connection pool, the sandbox's first serialisation,
    // and the JIT for both the read path and the checks. (The cold one-shot run is reported apart.)
    for (let i = 0; i < 3; i++) {
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
    for (let run = 0; run < 9; run++) {
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
    // What one `upshift check` of this cluster costs in memory: a fresh process, one run.
    const single = JSON.parse(
      execFileSync(process.execPath, [new URL(import.meta.url).pathname, "--one-check", sandbox.kubeconfig], {
        encoding: "utf8",
      }),
    ) as { maxRssMB: number; durationMs: number; readMs: number };
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
      ratio: Number((fullMs / bareMs).toFixed(2)),
      goalRatio: 1.3,
      findings,
      peakRssMB: single.maxRssMB,
      coldOneShot: {
        fullCheckMs: single.durationMs,
        untilLastListMs: single.readMs,
        note: "a fresh process, one run: `upshift check` as a user runs it",
      },
      goalPeakRssMB: 400,
      // The kernel's high-water mark for this process (no sampling timer disturbing the timings).
      peakRssMBAfterAllRunsInOneProcess: Math.round(process.resourceUsage().maxRSS / 1024),
      runs: { bareMs: bare.map(Math.round), fullMs: full.map(Math.round), fullUntilLastListMs: fullRead },
    };
  } finally {
    sandbox.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === "--one-check") {
    const client = ClusterDirectory.load(process.argv[3]).client("big");
    const report = await runPreflight(client, { checks: allChecks, target: "1.32" });
    console.log(
      JSON.stringify({
        maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
        durationMs: report.durationMs,
        readMs: report.readMs,
      }),
    );
  } else if (process.argv[2] === "--write-fixture") {
    const objects = syntheticCluster();
    writeFileSync(process.argv[3], objects.map((o) => stringify(o)).join("---\n"));
    console.log(objects.length);
  } else {
    console.log(JSON.stringify(await benchPreflight(), null, 2));
  }
  process.exit(0);
}
