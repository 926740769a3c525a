/** What the run, compare and evaluation panels' charts share: axis colours from the theme and tick labels. */
import type uPlot from 'uplot';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Axis colours from the VS Code theme. */
export function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  const grid = cssVar('--vscode-widget-border', 'rgba(128,128,128,0.2)');
  return {
    stroke: cssVar('--vscode-foreground', '#ccc'),
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid },
  };
}

/** Steps are whole numbers: ticks 1, 2 or 5 × 10^k apart, never at step 2.1 (uPlot's default). */
export const STEP_INCREMENTS = Array.from({ length: 10 }, (_, power) =>
  [1, 2, 5].map((factor) => factor * 10 ** power),
).flat();

/**
 * Tick labels with four significant digits: uPlot's default keeps three decimals, so a learning-rate
 * axis from 0.001 to 0.002 read "0.001, 0.001, 0.002, 0.002".
 */
export function significantDigits(_chart: uPlot, splits: number[]): string[] {
  return splits.map((value) => String(Number(value.toPrecision(4))));
}

/**
 * A y axis as wide as its longest tick label (uPlot's fixed 50 px let "0.00175" run into the axis
 * title): ticks and gap, then about 7 px per character of the panel's 12 px font. uPlot passes null
 * before its first layout pass, when no labels exist yet.
 */
export function widthForLabels(_chart: uPlot, values: string[] | null): number {
  const longest = (values ?? []).reduce((widest, value) => Math.max(widest, value.length), 0);
  return Math.max(50, 18 + 7 * longest);
}
