import { describe, expect, it } from "vitest";
import { menuIndex, trapIndex } from "./focus";

describe("focus trap", () => {
  it("wraps Tab and Shift+Tab inside the dialog", () => {
    expect(trapIndex(3, 2, false)).toBe(0);
    expect(trapIndex(3, 0, true)).toBe(2);
    expect(trapIndex(3, 1, false)).toBe(2);
    expect(trapIndex(3, -1, false)).toBe(0);
    expect(trapIndex(3, -1, true)).toBe(2);
    expect(trapIndex(0, 0, false)).toBe(-1);
  });

  it("moves through menu items with arrows, Home and End", () => {
    expect(menuIndex(4, 3, "ArrowDown")).toBe(0);
    expect(menuIndex(4, 0, "ArrowUp")).toBe(3);
    expect(menuIndex(4, -1, "ArrowDown")).toBe(0);
    expect(menuIndex(4, 2, "Home")).toBe(0);
    expect(menuIndex(4, 0, "End")).toBe(3);
    expect(menuIndex(4, 0, "x")).toBeNull();
  });
});
