import { describe, expect, it } from "vitest";
import { defaultChoices, describeSelection, exportProblem, exportRequestBody, isTaskDone } from "./logic";

describe("export request", () => {
  it("defaults to jobs only, developed", () => {
    expect(defaultChoices()).toEqual({ scope: "jobs_only", status: "develop", obsPath: "" });
  });

  it("sends directories and jobs picked in the tree", () => {
    const body = exportRequestBody(
      { category: "job", directoryIds: [4], ids: [11, 32], description: "" },
      { scope: "with_dependencies", status: "submit", obsPath: "" },
    );
    expect(body).toEqual({ category: "job", all: false, obsPath: "", directoryIds: [4], jobIds: [11, 32], scope: "with_dependencies", status: "submit" });
  });

  it("sends scripts as scriptIds with an OBS path", () => {
    const body = exportRequestBody({ category: "script", ids: [3], description: "" }, { scope: "with_dependencies", status: "develop", obsPath: " obs://bkt/out/ " });
    expect(body).toEqual({ category: "script", all: false, scriptIds: [3], scope: "jobs_only", status: "develop", obsPath: "obs://bkt/out/" });
  });

  it("sends all for the root's select-all", () => {
    expect(exportRequestBody({ category: "job", all: true, description: "" }, defaultChoices())).toMatchObject({ all: true });
  });

  it("refuses an empty selection and a malformed OBS path", () => {
    expect(exportProblem({ category: "job", description: "" }, defaultChoices())).toMatch(/at least one job/);
    expect(exportProblem({ category: "job", ids: [1], description: "" }, { ...defaultChoices(), obsPath: "bucket/x" })).toMatch(/obs:\/\//);
    expect(exportProblem({ category: "job", ids: [1], description: "" }, { ...defaultChoices(), obsPath: "obs://bucket/x/" })).toBeNull();
  });

  it("describes the selection", () => {
    expect(describeSelection("job", false, 0, 1, "doc1")).toBe("doc1");
    expect(describeSelection("job", false, 2, 1)).toBe("2 directories and 1 job");
    expect(describeSelection("script", false, 0, 3)).toBe("3 scripts");
    expect(describeSelection("job", true, 0, 0)).toBe("all jobs");
  });

  it("knows when a task is done", () => {
    expect(isTaskDone({ status: "RUNNING" })).toBe(false);
    expect(isTaskDone({ status: "FAILED" })).toBe(true);
  });
});
