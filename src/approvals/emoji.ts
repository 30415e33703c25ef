// Reactions arrive as names ("white_check_mark", "+1::skin-tone-2") or as unicode ("✅",
// sometimes with the U+FE0F variation selector), whichever a platform sends. Both map to one of
// two decisions. The reactions seeded on a request are each platform's (PlatformTraits.seedEmoji).
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
