// The shared grammar of Upshift's commands. Words are split on whitespace; a word that names a
// kubeconfig context is the cluster, a word that parses as a version is the target. Order does
// not matter ("/upgrade-check 1.32 prod" works) because people type both.
import { userText } from "../src/chat/userText.ts";
import { formatFull, parseTargetVersion } from "../src/versions/kube.ts";

export interface CheckArgs {
  cluster?: string;
  /** All contexts (fleet run). */
  all: boolean;
  target?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function splitWords(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

/** `/upgrade-check [context|all] [target]`. */
export function parseCheckArgs(text: string, contexts: readonly string[]): ParseResult<CheckArgs> {
  const args: CheckArgs = { all: false };
  for (const word of splitWords(text)) {
    if (contexts.includes(word)) {
      if (args.cluster || args.all)
        return {
          ok: false,
          error: `more than one cluster given ("${args.cluster ?? "all"}" and "${word}"); name one context, or "all"`,
        };
      args.cluster = word;
    } else if (word === "all") {
      if (args.cluster) return { ok: false, error: `more than one cluster given ("${args.cluster}" and "all")` };
      args.all = true;
    } else if (/^v?\d/.test(word)) {
      // Strict: MAJOR.MINOR[.PATCH] and nothing after, and a Kubernetes release (see
      // parseTargetVersion): "1.32-<!here>" or "1.99" is refused here, before anything is queued.
      const parsed = parseTargetVersion(word);
      if (!parsed.ok) return { ok: false, error: `target version ${quotedIfPlain(word)}: ${parsed.error}` };
      const target = formatFull(parsed.value);
      if (args.target)
        return { ok: false, error: `more than one target version given ("${args.target}" and "${target}")` };
      args.target = target;
    } else {
      return { ok: false, error: `unknown cluster context "${userText(word)}"` };
    }
  }
  return { ok: true, value: args };
}

export function listContexts(contexts: readonly string[]): string {
  return contexts.length
    ? `Valid contexts: ${contexts.map((c) => `\`${c}\``).join(", ")}.`
    : "No cluster contexts are configured (check KUBECONFIG).";
}

/** The word in quotes when it is plain version-like text; never echoes markup or long input. */
function quotedIfPlain(word: string): string {
  return /^[0-9A-Za-z.+_-]{1,24}$/.test(word) ? `"${word}"` : "(as typed)";
}
