import { describe, expect, it } from "vitest";
import type { VersionSummary } from "../api/types";
import { changedLineCount, comparePlan, sideTitle, stableStringify, toggleCompareSelection } from "./diff";

const v = (id: number, number: number, kind: "saved" | "submitted" = "submitted"): VersionSummary => ({
  id,
  number,
  kind,
  description: "",
  createdBy: "alice",
  createdAt: `2025-01-0${number}T00:00:00Z`,
});

describe("versions compare", () => {
  it("pretty-prints with sorted keys so key order is not a change", () => {
    expect(stableStringify({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(stableStringify({ a: { c: null, d: [2, { y: 2, z: 1 }] }, b: 1 }));
    expect(stableStringify({ b: 1, a: 2 })).toBe('{\n  "a": 2,\n  "b": 1\n}');
  });

  it("compares one version with the development state, two with each other oldest first", () => {
    expect(comparePlan([v(1, 3)])).toEqual({ left: { kind: "version", version: v(1, 3) }, right: { kind: "development" } });
    const plan = comparePlan([v(9, 5), v(2, 2)])!;
    expect(sideTitle(plan.left)).toBe("Submitted version 2");
    expect(sideTitle(plan.right)).toBe("Submitted version 5");
    expect(comparePlan([])).toBeNull();
    expect(comparePlan([v(1, 1), v(2, 2), v(3, 3)])).toBeNull();
    expect(sideTitle({ kind: "development" })).toBe("Development state");
  });

  it("keeps at most two versions selected", () => {
    expect(toggleCompareSelection([1, 2], 3)).toEqual([2, 3]);
    expect(toggleCompareSelection([1, 2], 1)).toEqual([2]);
  });

  it("counts changed lines", () => {
    expect(changedLineCount("a\nb\nc", "a\nb\nc")).toBe(0);
    expect(changedLineCount("a\nb\nc", "a\nx\nc")).toBe(2);
  });
});
