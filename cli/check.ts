// `upshift check`: one preflight run from the terminal, no Redis, no chat. Exit codes are for
// CI gates: 0 nothing at or above --fail-on, 3 something is, 2 bad flags, 1 the check could not run.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { allChecks } from "../src/checks/catalog/index.ts";
import { runPreflight } from "../src/checks/preflight.ts";
import { loadCheckSettings } from "../src/config/checkSettings.ts";
import { InvalidTargetError } from "../src/errors/invalidTargetError.ts";
import {
  absoluteDocsUrl,
  OUTPUT_FORMATS,
  type OutputFormat,
  reachesFailOn,
  renderReport,
} from "../src/render/reportFormats.ts";
import { parseTargetVersion } from "../src/versions/kube.ts";
import { chosenCluster, parseFailOn } from "./clusterChoice.ts";
import { UsageError } from "./usageError.ts";

export const CHECK_USAGE = `usage: upshift check [--kubeconfig PATH] [--context NAME] [--target 1.32]
                     [--output text|json|markdown|sarif|junit] [--fail-on blocker|high|medium|low|none]
                     [--docs-url URL] [--save-baseline FILE]
  One preflight run against one cluster, printed on stdout; no Redis, no chat.
  --kubeconfig PATH   kubeconfig to read (default $KUBECONFIG, then ~/.kube/config, then in-cluster)
  --context NAME      context (cluster) to check (default: the current context)
  --target VERSION    target Kubernetes version, MAJOR.MINOR[.PATCH] (default: the next minor)
  --output, -o FMT    text (default), json, markdown, sarif (SARIF 2.1.0) or junit
  --fail-on SEVERITY  exit 3 when a finding is at or above it (default blocker); none: never
  --docs-url URL      absolute URL of docs/checks.md for SARIF helpUri (default $UPSHIFT_DOCS_URL)
  --save-baseline FILE  also write the cluster's baseline (JSON) for a later \`upshift verify --baseline FILE\`
  Exit codes: 0 nothing at or above --fail-on, 3 something is, 2 bad flags, 1 the check could not run.`;

export async function runCheckCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let values: {
    kubeconfig?: string;
    context?: string;
    target?: string;
    output?: string;
    "fail-on"?: string;
    "docs-url"?: string;
    "save-baseline"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: "string" },
        context: { type: "string" },
        target: { type: "string" },
        output: { type: "string", short: "o", default: "text" },
        "fail-on": { type: "string", default: "blocker" },
        "docs-url": { type: "string" },
        "save-baseline": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${CHECK_USAGE}`);
  }
  if (values.help) {
    out.write(`${CHECK_USAGE}\n`);
    return 0;
  }
  const format = values.output as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`--output: expected one of ${OUTPUT_FORMATS.join(", ")}, got "${values.output}"`);
  const failOn = parseFailOn(values["fail-on"]);
  if (values["save-baseline"] === "") throw new UsageError("--save-baseline: expected a file path");
  if (values["docs-url"] !== undefined && !absoluteDocsUrl(values["docs-url"]))
    throw new UsageError(`--docs-url: expected an absolute http(s) URL, got "${values["docs-url"]}"`);

  // Refused before reading any config or cluster: a target that is not a Kubernetes release
  // ("1.99", "2.0", "1.32-rc") is a usage error, exit 2, never a run.
  if (values.target !== undefined) {
    const target = parseTargetVersion(values.target);
    if (!target.ok) throw new UsageError(`--target: ${target.error}`);
  }

  const settings = await loadCheckSettings();
  const { context, client } = await chosenCluster(values.kubeconfig ?? settings.kubeconfig, values.context);

  let report: Awaited<ReturnType<typeof runPreflight>>;
  try {
    const preflight = {
      checks: allChecks,
      target: values.target,
      ignoreRules: settings.ignoreRulesFor(context),
      helmNamespaces: settings.helmNamespaces,
    };
    const saveTo = values["save-baseline"];
    if (saveTo !== undefined) {
      // Only with --save-baseline: the baseline code brings zod (its reader validates files).
      const { preflightWithBaseline } = await import("../src/verify/verify.ts");
      const run = await preflightWithBaseline(client, preflight);
      report = run.report;
      writeFileSync(saveTo, `${JSON.stringify(run.baseline, null, 2)}\n`);
    } else report = await runPreflight(client, preflight);
  } catch (err) {
    // A target the cluster cannot go to is the user's input; anything else could not run (1).
    if (err instanceof InvalidTargetError && values.target !== undefined)
      throw new UsageError(`--target: ${err.message}`);
    throw err;
  }
  out.write(renderReport(report, format, { docsUrl: values["docs-url"] ?? settings.docsUrl, failOn }));
  return report.findings.some((f) => reachesFailOn(f.severity, failOn)) ? 3 : 0;
}
