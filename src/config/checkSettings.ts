// What `upshift check` and `upshift verify` read of the configuration, and nothing else: the
// kubeconfig, the narrow Secrets mode, the docs URL and upshift.yaml's ignore rules. A terminal
// run validates exactly these (a half-configured Slack in the environment is the bot's problem,
// not a CI gate's), with the same schema and messages as the bot.
//
// Why a second door into the configuration: importing zod and building the config schema costs
// ~35 ms of every `upshift check`, about a tenth of the whole run at 20,000 objects (issue 14,
// bench/preflight.ts). With none of those variables set there is nothing to validate, and the
// result is the schema's own defaults (test/config/checkSettings.test.ts holds the two equal);
// only then is the schema not loaded.
import type { IgnoreRule } from "./schema.ts";

export interface CheckSettings {
  /** KUBECONFIG (undefined: ~/.kube/config, then in-cluster). */
  kubeconfig?: string;
  /** UPSHIFT_HELM_NAMESPACES: the narrow Secrets mode's namespaces. */
  helmNamespaces?: string[];
  /** UPSHIFT_DOCS_URL: docs/checks.md for SARIF helpUri. */
  docsUrl?: string;
  /** upshift.yaml's ignore rules for one context (global ones first). */
  ignoreRulesFor(context: string): IgnoreRule[];
}

/** The variables a terminal run reads; the schema validates them alone. */
export const CHECK_ENV_KEYS = ["KUBECONFIG", "UPSHIFT_CONFIG", "UPSHIFT_HELM_NAMESPACES", "UPSHIFT_DOCS_URL"] as const;

/** Set and non-empty: the schema treats "" as unset for all four. */
const isSet = (value: string | undefined) => value !== undefined && value !== "";

export async function loadCheckSettings(env: NodeJS.ProcessEnv = process.env): Promise<CheckSettings> {
  // KUBECONFIG is a path the kubeconfig reader opens and reports on itself; the others need the schema.
  if (!CHECK_ENV_KEYS.some((k) => k !== "KUBECONFIG" && isSet(env[k])))
    return { kubeconfig: isSet(env.KUBECONFIG) ? env.KUBECONFIG : undefined, ignoreRulesFor: () => [] };
  const { ignoreRulesFor, loadConfig } = await import("./load.ts");
  const { env: valid, file } = loadConfig(Object.fromEntries(CHECK_ENV_KEYS.map((k) => [k, env[k]])));
  return {
    kubeconfig: valid.KUBECONFIG,
    helmNamespaces: valid.UPSHIFT_HELM_NAMESPACES,
    docsUrl: valid.UPSHIFT_DOCS_URL,
    ignoreRulesFor: (context) => ignoreRulesFor(file, context),
  };
}
