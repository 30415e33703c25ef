// One shape for every figure that has a goal (issue 14): its value, the goal, and whether it holds,
// so a regression shows in one line of the bench JSON.
export interface Figure {
  value: number;
  unit: string;
  /** e.g. "< 100 ms". */
  goal: string;
  holds: boolean;
  note?: string;
}

/** A figure whose goal is to stay below `limit`. */
export function below(value: number, limit: number, unit: string, note?: string): Figure {
  return {
    value,
    unit,
    goal: `< ${limit} ${unit}`,
    holds: Number.isFinite(value) && value < limit,
    ...(note ? { note } : {}),
  };
}
