// The chat text of /upgrade-status: one message, the same text on Slack and Discord (short enough
// for Discord's 2,000 characters on a big cluster because nodes are grouped, not listed), or the
// one line that says the status could not be read.
import type { ChatMessage } from "../chat/types.ts";
import type { ClusterStatus } from "../status/buildStatus.ts";

const VERDICT_ICON: Record<string, string> = { ready: "✅", warnings: "⚠️", blocked: "⛔" };

export function renderStatus(s: ClusterStatus): ChatMessage {
  const lines = [`*Status of \`${s.cluster}\`*: API server ${s.serverVersion}`];
  lines.push(`*Nodes* (${s.nodeCount}):`);
  for (const g of s.nodeGroups) {
    const names =
      g.count <= g.examples.length ? `: ${g.examples.join(", ")}` : `, e.g. ${g.examples.slice(0, 3).join(", ")}`;
    lines.push(`• ${g.count} × ${g.version} ${g.ready ? "Ready" : "*NotReady*"}${names}`);
  }
  if (s.addons.length) {
    lines.push("*Add-ons:*");
    for (const a of s.addons) {
      const expected = a.expected ? ` (expected ${a.expected})` : "";
      lines.push(
        `• ${a.outdated ? "⚠️ " : ""}${a.name} ${a.version ?? "?"}${expected}${a.outdated ? " *outdated*" : ""}${a.where ? ` — ${a.where}` : ""}`,
      );
    }
  }
  // In the narrow Secrets mode the reader must know where Upshift did not look.
  const scope = s.helmNamespaces
    ? ` (namespaces ${s.helmNamespaces.join(", ")} only: no access to Secrets elsewhere)`
    : "";
  lines.push(
    s.releasesNotDeployed.length
      ? `*Helm releases not deployed${scope}:*\n${s.releasesNotDeployed.map((r) => `• ${r.namespace}/${r.name} rev ${r.revision}: \`${r.status}\``).join("\n")}`
      : `*Helm releases${scope}:* all deployed`,
  );
  lines.push(
    s.jobs.length
      ? `*Upshift jobs:*\n${s.jobs.map((j) => `• ${j.queue} ${j.state}${j.detail ? ` (${j.detail})` : ""}`).join("\n")}`
      : "*Upshift jobs:* none running or queued",
  );
  lines.push(
    s.lastCheck
      ? `*Last check:* ${VERDICT_ICON[s.lastCheck.verdict] ?? ""} ${s.lastCheck.verdict} for ${s.lastCheck.target} (${s.lastCheck.checkedAt.slice(0, 16).replace("T", " ")} UTC, ${s.lastCheck.ageMinutes} min ago)`
      : "*Last check:* never (run /upgrade-check)",
  );
  return { text: lines.join("\n") };
}

/** Posted when the last attempt to read the status failed. */
export function statusFailureMessage(cluster: string, reason: string): ChatMessage {
  return { text: `⚠️ Could not read the status of \`${cluster}\`: ${reason}` };
}
