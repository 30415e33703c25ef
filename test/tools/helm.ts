// Runs the real Helm binary against a sandbox the way users run it: its own kubeconfig, and
// HELM_CACHE_HOME/HELM_CONFIG_HOME/HELM_DATA_HOME in a temp dir so no test reads or writes the
// developer's Helm state. Every process has a deadline and is SIGKILLed past it. Always async:
// the sandbox usually runs in the same process, and a blocking spawn would starve it.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { SandboxServer } from "../../src/sandbox/index.ts";
import { helmBinary } from "./realBinaries.ts";

export const TINY_CHART = new URL("../fixtures/charts/tiny/", import.meta.url).pathname;

export interface HelmHome {
  dir: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
}

export interface HelmResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A private Helm home and kubeconfig (context "sandbox") for one sandbox. */
export function helmHome(sandbox: SandboxServer): HelmHome {
  const dir = mkdtempSync(join(tmpdir(), "upshift-helm-"));
  const kubeconfig = join(dir, "kubeconfig");
  sandbox.writeKubeconfig(kubeconfig);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    KUBECONFIG: kubeconfig,
    HELM_CACHE_HOME: join(dir, "cache"),
    HELM_CONFIG_HOME: join(dir, "config"),
    HELM_DATA_HOME: join(dir, "data"),
  };
  return { dir, kubeconfig, env };
}

/** Deletes the Helm home (charts and values files made under it included). */
export function removeHelmHome(home: HelmHome | undefined): void {
  if (home) rmSync(home.dir, { recursive: true, force: true });
}

/** Starts `helm --kubeconfig … args`; the caller must wait for or kill it. */
export function startHelm(home: HelmHome, args: string[]): ChildProcess {
  return spawn(helmBinary(), ["--kubeconfig", home.kubeconfig, ...args], {
    env: home.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs helm to its end (or SIGKILLs it after `timeoutMs`) and collects its output. */
export function helm(home: HelmHome, args: string[], timeoutMs = 60_000): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    const child = startHelm(home, args);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`helm ${args.join(" ")} did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like helm() but fails the test, with Helm's own words, unless it exits 0. */
export async function helmOk(home: HelmHome, args: string[], timeoutMs?: number): Promise<string> {
  const r = await helm(home, args, timeoutMs);
  if (r.code !== 0) throw new Error(`helm ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A copy of the tiny chart with Chart.yaml fields replaced (name, version, kubeVersion...). */
export function chartVariant(home: HelmHome, fields: Record<string, string>): string {
  const name = fields.name ?? "tiny";
  const dir = join(mkdtempSync(join(home.dir, "chart-")), name);
  cpSync(TINY_CHART, dir, { recursive: true });
  const chartFile = join(dir, "Chart.yaml");
  const chart = parseYaml(readFileSync(chartFile, "utf8")) as Record<string, unknown>;
  writeFileSync(chartFile, stringifyYaml({ ...chart, ...fields }));
  return dir;
}

/** Writes a values file (for values --set cannot express, such as lists of manifests). */
export function valuesFile(home: HelmHome, values: unknown): string {
  const path = join(mkdtempSync(join(home.dir, "values-")), "values.yaml");
  writeFileSync(path, stringifyYaml(values));
  return path;
}

/** `helm list -a -A -o json` as objects. */
export async function helmList(
  home: HelmHome,
): Promise<Array<{ name: string; namespace: string; revision: string; status: string; chart: string }>> {
  return JSON.parse(await helmOk(home, ["list", "-a", "-A", "-o", "json"]));
}
