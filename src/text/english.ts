// Small English helpers so text reads right, in findings and in chat: "1 blocker", "2 blockers", "a, b and c".

/** "1 blocker", "2 blockers", "1 policy", "3 policies" (pass the plural when it is not +s). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** "a", "a and b", "a, b and c"; past `max` items: "a, b, c and 4 more". */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length > max) return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
