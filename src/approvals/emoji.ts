// Slack sends reaction names ("white_check_mark", "+1::skin-tone-2"), Discord sends unicode
// ("✅", sometimes with the U+FE0F variation selector). Both map to one of two decisions.
export type ReactionDecision = "approve" | "cancel";

const APPROVE = new Set(["white_check_mark", "heavy_check_mark", "ballot_box_with_check", "✅", "✔", "☑"]);
const CANCEL = new Set(["x", "negative_squared_cross_mark", "heavy_multiplication_x", "❌", "❎", "✖"]);

export function decisionOf(emoji: string): ReactionDecision | undefined {
  const name = emoji
    .trim()
    .replace(/^:|:$/g, "")
    .replace(/::skin-tone-\d$/, "")
    .replace(/\uFE0F/g, "");
  if (APPROVE.has(name)) return "approve";
  if (CANCEL.has(name)) return "cancel";
  return undefined;
}

/** The reaction to seed on an approval request, per platform. */
export function seedEmoji(platform: string, decision: ReactionDecision): string {
  if (platform === "slack") return decision === "approve" ? "white_check_mark" : "x";
  return decision === "approve" ? "✅" : "❌";
}
