import { describe, expect, it } from "vitest";
import { obsAllows, obsCrumbs, obsFolderLabel, obsParentFolder } from "./obsPaths";

describe("the OBS picker under an allow-list", () => {
  it("allows what an entry reaches, and no sibling of an allowed folder", () => {
    const list = ["data-bkt/team/", "dlf-demo"];
    expect(obsAllows(list, "obs://data-bkt/team/")).toBe(true);
    expect(obsAllows(list, "obs://data-bkt/team/in/DLF_a.zip")).toBe(true);
    expect(obsAllows(list, "obs://data-bkt/")).toBe(false);
    expect(obsAllows(list, "obs://data-bkt/teamwork/")).toBe(false);
    expect(obsAllows(list, "obs://dlf-demo/any/")).toBe(true);
    expect(obsAllows(["*"], "obs://whatever/")).toBe(true);
    expect(obsAllows([], "obs://dlf-demo/")).toBe(false);
  });

  it("offers only the crumbs the list reaches", () => {
    const crumbs = obsCrumbs("obs://data-bkt/team/in/", ["data-bkt/team/"]);
    expect(crumbs.map((c) => [c.label, c.browsable])).toEqual([
      ["Allowed locations", true],
      ["data-bkt", false],
      ["team", true],
      ["in", true],
    ]);
    expect(crumbs[3].path).toBe("obs://data-bkt/team/in/");
    // Before the list is read every crumb is offered (the server still answers 403 outside it).
    expect(obsCrumbs("obs://data-bkt/", null).every((c) => c.browsable)).toBe(true);
    expect(obsCrumbs("", ["*"])).toHaveLength(1);
  });

  it("names the root's folders with their bucket and the others by their last part", () => {
    expect(obsFolderLabel("obs://data-bkt/team/", true)).toBe("data-bkt/team/");
    expect(obsFolderLabel("obs://data-bkt/team/exports/", false)).toBe("exports/");
    expect(obsParentFolder("obs://data-bkt/team/DLF_a.zip")).toBe("obs://data-bkt/team/");
    expect(obsParentFolder("")).toBe("");
  });
});
