// Runs the real Helm 3.17 (test/tools/realBinaries.ts) for the chart tests: with its cache,
// config and data directories in a temporary directory (nothing of the user's Helm setup is read
// or written), a timeout on every run, and the chart in deploy/helm/upshift.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../../src/kube/resources.ts";
import { helmBinary } from "../tools/realBinaries.ts";
import { REPO_ROOT } from "./render.ts";

export const CHART_DIR = `${REPO_ROOT}deploy/helm/upshift`;

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A private Helm home; remove() deletes it with everything written there (values files, kubeconfigs). */
export class HelmHome {
  readonly dir = mkdtempSync(join(tmpdir(), "upshift-helm-"));
  private files = 0;

  env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.dir,
      HELM_CACHE_HOME: join(this.dir, "cache"),
      HELM_CONFIG_HOME: join(this.dir, "config"),
      HELM_DATA_HOME: join(this.dir, "data"),
      // No ambient cluster: only a --kubeconfig given on the command line is ever used.
      KUBECONFIG: join(this.dir, "no-kubeconfig"),
    };
  }

  run(args: string[], timeoutMs = 30_000): HelmResult {
    const r = spawnSync(helmBinary(), args, { encoding: "utf8", env: this.env(), timeout: timeoutMs });
    if (r.error) throw new Error(`helm ${args.join(" ")}: ${r.error.message}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * The same without blocking the event loop: needed when the API server Helm talks to (the
   * sandbox) runs in this process. A non-zero exit is a result, not an exception.
   */
  runAsync(args: string[], timeoutMs = 60_000): Promise<HelmResult> {
    return runProcess(helmBinary(), args, this.env(), timeoutMs);
  }

  /** Writes a values file (JSON is YAML) and returns its path. */
  valuesFile(values: object): string {
    const path = join(this.dir, `values-${++this.files}.yaml`);
    writeFileSync(path, JSON.stringify(values));
    return path;
  }

  /** `helm template` with these values: the parsed objects, or an Error carrying Helm's message. */
  template(values: object = {}, release = "upshift", namespace = "upshift"): KubeObject[] {
    const r = this.run(["template", release, CHART_DIR, "--namespace", namespace, "-f", this.valuesFile(values)]);
    if (r.status !== 0) throw new Error(`helm template failed (${r.status}): ${r.stderr}`);
    return parseObjects(r.stdout);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs a program to its end with a timeout (killed with SIGKILL when it runs over). */
export function runProcess(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: "utf8", env, timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // A program that ran and exited non-zero has a numeric code; anything else (not found,
        // killed by the timeout) did not finish.
        const e = err as { code?: unknown; killed?: boolean; message: string } | null;
        const code = e?.code;
        if (e && typeof code !== "number") {
          const why = e.killed ? `killed after ${timeoutMs} ms` : e.message;
          reject(new Error(`${file} ${args.join(" ")}: ${why}\n${stderr}`));
          return;
        }
        resolve({ status: typeof code === "number" ? code : 0, stdout, stderr });
      },
    );
  });
}

export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}
