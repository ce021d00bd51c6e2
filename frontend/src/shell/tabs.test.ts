import { describe, expect, it } from "vitest";
import { closeTab, openTab, tabFromPath, tabKey, tabPath, updateTab, type EditorTab } from "./tabs";

const t = (id: number, kind: "job" | "script" = "job"): EditorTab => ({ kind, id, title: `t${id}` });

describe("editor tabs", () => {
  it("opens once and keeps the order", () => {
    let tabs = openTab([], t(1));
    tabs = openTab(tabs, t(2));
    tabs = openTab(tabs, t(1));
    expect(tabs.map(tabKey)).toEqual(["job:1", "job:2"]);
    expect(openTab(tabs, { ...t(1), title: "renamed" })[0].title).toBe("renamed");
    expect(openTab(tabs, t(1, "script")).map(tabKey)).toEqual(["job:1", "job:2", "script:1"]);
  });

  it("closing the active tab shows its right neighbour, else its left", () => {
    const tabs = [t(1), t(2), t(3)];
    expect(closeTab(tabs, "job:2", "job:2").next?.id).toBe(3);
    expect(closeTab(tabs, "job:3", "job:3").next?.id).toBe(2);
    expect(closeTab(tabs, "job:1", "job:3")).toEqual({ tabs: [t(2), t(3)], next: t(3) });
    expect(closeTab([t(1)], "job:1", "job:1").next).toBeNull();
  });

  it("drops the oldest clean tab past the limit", () => {
    let tabs = [{ ...t(1), dirty: true }, t(2)];
    tabs = openTab(tabs, t(3), 2);
    expect(tabs.map((x) => x.id)).toEqual([1, 3]);
  });

  it("marks a tab dirty without touching the others", () => {
    const tabs = [t(1), t(2)];
    const next = updateTab(tabs, "job:2", { dirty: true });
    expect(next[1].dirty).toBe(true);
    expect(next[0]).toBe(tabs[0]);
    expect(updateTab(next, "job:2", { dirty: true })).toBe(next);
  });

  it("maps paths to tabs and back", () => {
    expect(tabFromPath("/jobs/12")).toEqual({ kind: "job", id: 12 });
    expect(tabFromPath("/scripts/3/")).toEqual({ kind: "script", id: 3 });
    expect(tabFromPath("/downloads")).toBeNull();
    expect(tabPath({ kind: "script", id: 3 })).toBe("/scripts/3");
  });
});
