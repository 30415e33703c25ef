// `upshift sandbox --fixture FILE_OR_DIR ...`: serves a fixture until SIGINT/SIGTERM, over HTTPS
// with a CA made at start and authentication, like a real cluster (--plain-http for none of it).
// Prints exactly one line on stdout.

import { errorMessage } from "../src/errors/upshiftError.ts";
import {
  type Fixture,
  KUBECONFIG_AUTH_MODES,
  type KubeconfigAuth,
  loadFixture,
  startSandbox,
} from "../src/sandbox/index.ts";
import { UsageError } from "./usageError.ts";

export const SANDBOX_USAGE =
  "usage: upshift sandbox --fixture FILE_OR_DIR [--fixture ...] [--kube-version v1.31.4] [--port 0] [--host 127.0.0.1] [--kubeconfig-out PATH] [--context NAME] [--auth token|client-cert|exec] [--anonymous-auth true|false] [--plain-http] [--rollout-delay-ms 0]";

export interface SandboxCliOptions {
  fixtures: string[];
  kubeVersion?: string;
  port: number;
  host: string;
  kubeconfigOut?: string;
  context: string;
  /** How the written kubeconfig authenticates (HTTPS only). */
  auth: KubeconfigAuth;
  anonymousAuth: boolean;
  plainHttp: boolean;
  rolloutDelayMs?: number;
}

export function parseSandboxArgs(argv: string[]): SandboxCliOptions {
  const opts: SandboxCliOptions = {
    fixtures: [],
    port: 0,
    host: "127.0.0.1",
    context: "sandbox",
    auth: "token",
    anonymousAuth: true,
    plainHttp: false,
  };
  let authGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (arg.startsWith("--") && eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag}: expected a value`);
      return v;
    };
    switch (flag) {
      case "--fixture":
        opts.fixtures.push(takeValue());
        break;
      case "--kube-version": {
        const v = takeValue();
        if (!/^v\d+\.\d+\.\d+/.test(v))
          throw new UsageError(`--kube-version: expected a version like v1.31.4, got "${v}"`);
        opts.kubeVersion = v;
        break;
      }
      case "--port": {
        const v = takeValue();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port: expected a port number 0-65535, got "${v}"`);
        opts.port = n;
        break;
      }
      case "--host":
        opts.host = takeValue();
        break;
      case "--kubeconfig-out":
        opts.kubeconfigOut = takeValue();
        break;
      case "--context": {
        const v = takeValue();
        if (!v.trim()) throw new UsageError("--context: expected a non-empty name");
        opts.context = v;
        break;
      }
      case "--auth": {
        const v = takeValue();
        if (!KUBECONFIG_AUTH_MODES.includes(v as KubeconfigAuth))
          throw new UsageError(`--auth: expected one of ${KUBECONFIG_AUTH_MODES.join(", ")}, got "${v}"`);
        opts.auth = v as KubeconfigAuth;
        authGiven = true;
        break;
      }
      case "--anonymous-auth": {
        const v = takeValue();
        if (v !== "true" && v !== "false") throw new UsageError(`--anonymous-auth: expected true or false, got "${v}"`);
        opts.anonymousAuth = v === "true";
        break;
      }
      case "--plain-http":
        if (eq > 0) throw new UsageError("--plain-http: takes no value");
        opts.plainHttp = true;
        break;
      case "--rollout-delay-ms": {
        const v = takeValue();
        if (!/^\d+$/.test(v))
          throw new UsageError(`--rollout-delay-ms: expected a whole number of milliseconds, got "${v}"`);
        opts.rolloutDelayMs = Number(v);
        break;
      }
      case "-h":
      case "--help":
        throw new UsageError(SANDBOX_USAGE);
      default:
        throw new UsageError(`unknown flag "${arg}"`);
    }
  }
  if (opts.fixtures.length === 0) throw new UsageError("--fixture: required (a YAML file or a directory of them)");
  if (opts.plainHttp && authGiven && opts.auth !== "token")
    throw new UsageError(`--auth ${opts.auth}: needs HTTPS (drop --plain-http)`);
  return opts;
}

/**
 * Runs until SIGINT/SIGTERM and returns the exit code: 0 after a clean stop or --help, 2 for bad
 * flags or a bad fixture (a usage error: the message says which), 1 when the server cannot run
 * (the port is taken, a crash).
 */
export async function runSandboxCli(argv: string[]): Promise<number> {
  let opts: SandboxCliOptions;
  try {
    opts = parseSandboxArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message === SANDBOX_USAGE) {
      process.stdout.write(`${SANDBOX_USAGE}\n`);
      return 0;
    }
    process.stderr.write(`upshift sandbox: ${err.message}\n${SANDBOX_USAGE}\n`);
    return 2;
  }
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let fixture: Fixture;
  try {
    // Read first: a missing or broken fixture is bad input (2), a port that cannot be bound is not.
    fixture = loadFixture(opts.fixtures);
  } catch (err) {
    process.stderr.write(`upshift sandbox: ${errorMessage(err)}\n`);
    return 2;
  }
  try {
    sandbox = await startSandbox({
      loadedFixture: fixture,
      serverVersion: opts.kubeVersion,
      port: opts.port,
      host: opts.host,
      rolloutDelayMs: opts.rolloutDelayMs,
      tls: opts.plainHttp ? false : { anonymous: opts.anonymousAuth },
    });
    if (opts.kubeconfigOut) sandbox.writeKubeconfig(opts.kubeconfigOut, opts.context, { auth: opts.auth });
  } catch (err) {
    process.stderr.write(`upshift sandbox: ${errorMessage(err)}\n`);
    return 1;
  }
  for (const { file, reason } of sandbox.skippedFixtures)
    process.stderr.write(`upshift sandbox: skipped ${file}: ${reason}\n`);
  process.stdout.write(`listening on ${sandbox.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sandbox.close();
  return 0;
}
