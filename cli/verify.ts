// `upshift verify --baseline FILE`: after an upgrade, compare the cluster with a baseline that
// `upshift check --save-baseline FILE` wrote before it. No Redis, no chat. Exit codes for CI:
// 0 nothing got worse at or above --fail-on, 3 something did, 2 bad flags, 1 could not run
// (no cluster, or a baseline file that is missing or unreadable).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { allChecks } from "../src/checks/catalog/index.ts";
import type { Severity } from "../src/checks/types.ts";
import { loadCheckSettings } from "../src/config/checkSettings.ts";
import { errorMessage, UpshiftError } from "../src/errors/upshiftError.ts";
import { reachesFailOn } from "../src/render/reportFormats.ts";
import { renderVerify, VERIFY_OUTPUT_FORMATS, type VerifyOutputFormat } from "../src/render/verify.ts";
import { parseBaseline } from "../src/verify/baseline.ts";
import { worstSeverity } from "../src/verify/diff.ts";
import { runVerify } from "../src/verify/verify.ts";
import { chosenCluster, parseFailOn } from "./clusterChoice.ts";
import { UsageError } from "./usageError.ts";

export const VERIFY_USAGE = `usage: upshift verify --baseline FILE [--kubeconfig PATH] [--context NAME]
                      [--output text|json|markdown] [--fail-on blocker|high|medium|low|none]
  After an upgrade: what changed since the baseline, what got worse, what is left to do, what got better.
  --baseline FILE     baseline written before the upgrade by \`upshift check --save-baseline FILE\`
  --kubeconfig PATH   kubeconfig to read (default $KUBECONFIG, then ~/.kube/config, then in-cluster)
  --context NAME      context (cluster) to verify (default: the current context)
  --output, -o FMT    text (default), json or markdown
  --fail-on SEVERITY  exit 3 when something got worse at or above it (default high); none: never
  Exit codes: 0 healthy or nothing worse at or above --fail-on, 3 degraded at or above it, 2 bad flags,
  1 could not run (cluster unreachable, baseline file missing or unreadable).`;

/** Could not run: exit 1 with this message (not a usage error). */
export class VerifyCannotRunError extends UpshiftError {}

export async function runVerifyCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let values: {
    baseline?: string;
    kubeconfig?: string;
    context?: string;
    output?: string;
    "fail-on"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        baseline: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        output: { type: "string", short: "o", default: "text" },
        "fail-on": { type: "string", default: "high" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${errorMessage(err)}\n${VERIFY_USAGE}`);
  }
  if (values.help) {
    out.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  if (!values.baseline)
    throw new UsageError(`--baseline: required (a file from upshift check --save-baseline)\n${VERIFY_USAGE}`);
  const format = values.output as VerifyOutputFormat;
  if (!VERIFY_OUTPUT_FORMATS.includes(format))
    throw new UsageError(`--output: expected one of ${VERIFY_OUTPUT_FORMATS.join(", ")}, got "${values.output}"`);
  const failOn = parseFailOn(values["fail-on"]);

  let raw: string;
  try {
    raw = readFileSync(values.baseline, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    const hint = code === "ENOENT" ? "; take one before the upgrade with upshift check --save-baseline FILE" : "";
    throw new VerifyCannotRunError(`--baseline ${values.baseline}: ${code}${hint}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new VerifyCannotRunError(`--baseline ${values.baseline}: not JSON`);
  }
  const parsed = parseBaseline(json);
  if (!parsed.ok) throw new VerifyCannotRunError(`--baseline ${values.baseline}: ${parsed.error}`);

  const settings = await loadCheckSettings();
  const { context, client } = await chosenCluster(values.kubeconfig ?? settings.kubeconfig, values.context);

  const { result } = await runVerify(client, parsed.baseline, {
    checks: allChecks,
    ignoreRules: settings.ignoreRulesFor(context),
    helmNamespaces: settings.helmNamespaces,
  });
  out.write(renderVerify(result, format));
  const worst = worstSeverity(result);
  return worst && reachesFailOn(worst as Severity, failOn) ? 3 : 0;
}
