/**
 * Versions: what to compare with what, and JSON pretty-printed so that a text diff shows real changes
 * only (keys sorted, so the order a server happened to write them in is not a change).
 */
import type { VersionSummary } from "../api/types";

export function stableStringify(value: unknown, indent = 2): string {
  const seen = new WeakSet<object>();
  const sort = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v as object)) return "[circular]";
    seen.add(v as object);
    if (Array.isArray(v)) return v.map(sort);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
    return out;
  };
  return JSON.stringify(sort(value), null, indent) ?? "";
}

export type CompareSide = { kind: "version"; version: VersionSummary } | { kind: "development" };

export interface ComparePlan {
  left: CompareSide;
  right: CompareSide;
}

/**
 * DataArts' rule: one version selected compares it with the development state; two compare the older
 * (left) with the newer (right). Anything else cannot be compared.
 */
export function comparePlan(selected: VersionSummary[]): ComparePlan | null {
  if (selected.length === 1) return { left: { kind: "version", version: selected[0] }, right: { kind: "development" } };
  if (selected.length === 2) {
    const [a, b] = [...selected].sort((x, y) => x.number - y.number || x.createdAt.localeCompare(y.createdAt));
    return { left: { kind: "version", version: a }, right: { kind: "version", version: b } };
  }
  return null;
}

export function sideTitle(side: CompareSide): string {
  if (side.kind === "development") return "Development state";
  const v = side.version;
  return `${v.kind === "submitted" ? "Submitted" : "Saved"} version ${v.number}`;
}

/** Toggles a version in a selection of at most two (the oldest pick drops out). */
export function toggleCompareSelection(selected: number[], id: number): number[] {
  if (selected.includes(id)) return selected.filter((x) => x !== id);
  return [...selected, id].slice(-2);
}

/** Counts changed lines between two texts, cheaply (for a summary line above the diff). */
export function changedLineCount(a: string, b: string): number {
  const left = a.split("\n");
  const right = b.split("\n");
  const counts = new Map<string, number>();
  for (const l of left) counts.set(l, (counts.get(l) ?? 0) + 1);
  let common = 0;
  for (const l of right) {
    const c = counts.get(l) ?? 0;
    if (c > 0) {
      common++;
      counts.set(l, c - 1);
    }
  }
  return left.length - common + (right.length - common);
}
