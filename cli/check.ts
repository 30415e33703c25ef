// `upshift check`: one preflight run from the terminal, no Redis, no chat. Exit codes are for
// CI gates: 0 nothing at or above --fail-on, 3 something is, 1 the check could not run.
import { parseArgs } from "node:util";
import { allChecks } from "../src/checks/catalog/index.ts";
import { runPreflight } from "../src/checks/preflight.ts";
import { anyAtOrAbove } from "../src/checks/runner.ts";
import { SEVERITIES, type Severity } from "../src/checks/types.ts";
import { ignoreRulesFor, loadConfig } from "../src/config/load.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { OUTPUT_FORMATS, type OutputFormat, renderReport } from "../src/render/reportFormats.ts";
import { UsageError } from "./usageError.ts";

export const CHECK_USAGE =
  "usage: upshift check [--kubeconfig PATH] [--context NAME] [--target 1.32] [--output text|json|markdown|sarif|junit] [--fail-on blocker|high|medium|low]";

export async function runCheckCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let values: { kubeconfig?: string; context?: string; target?: string; output?: string; "fail-on"?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: "string" },
        context: { type: "string" },
        target: { type: "string" },
        output: { type: "string", short: "o", default: "text" },
        "fail-on": { type: "string", default: "blocker" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${CHECK_USAGE}`);
  }
  const format = values.output as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`--output: expected one of ${OUTPUT_FORMATS.join(", ")}, got "${values.output}"`);
  const failOn = values["fail-on"] as Severity;
  if (!SEVERITIES.includes(failOn) || failOn === "info")
    throw new UsageError(`--fail-on: expected blocker, high, medium or low, got "${values["fail-on"]}"`);

  const config = loadConfig();
  const clusters = ClusterDirectory.load(values.kubeconfig ?? config.env.KUBECONFIG);
  const context = values.context ?? clusters.defaultName();
  if (!context)
    throw new UsageError(
      `--context: the kubeconfig has several contexts and no current one; name one of: ${clusters.names().join(", ")}`,
    );
  if (!clusters.has(context))
    throw new UsageError(`--context: unknown context "${context}"; valid: ${clusters.names().join(", ")}`);

  const report = await runPreflight(clusters.client(context), {
    checks: allChecks,
    target: values.target,
    ignoreRules: ignoreRulesFor(config.file, context),
    helmNamespaces: config.env.UPSHIFT_HELM_NAMESPACES,
  });
  out.write(renderReport(report, format));
  return anyAtOrAbove(report.findings, failOn) ? 3 : 0;
}
