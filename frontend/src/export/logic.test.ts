import { describe, expect, it } from "vitest";
import { changedSinceIso, defaultChoices, describeSelection, exportFileName, exportProblem, exportRequestBody, isTaskDone, obsTargetHint } from "./logic";

describe("export request", () => {
  it("defaults to jobs only, developed", () => {
    expect(defaultChoices()).toEqual({ scope: "jobs_only", status: "develop", obsPath: "", changedSince: "" });
  });

  it("sends directories and jobs picked in the tree", () => {
    const body = exportRequestBody(
      { category: "job", directoryIds: [4], ids: [11, 32], description: "" },
      { scope: "with_dependencies", status: "submit", obsPath: "", changedSince: "" },
    );
    expect(body).toEqual({ category: "job", all: false, obsPath: "", directoryIds: [4], jobIds: [11, 32], scope: "with_dependencies", status: "submit" });
  });

  it("sends scripts as scriptIds with an OBS path", () => {
    const body = exportRequestBody({ category: "script", ids: [3], description: "" }, { scope: "with_dependencies", status: "develop", obsPath: " obs://bkt/out/ ", changedSince: "" });
    expect(body).toEqual({ category: "script", all: false, scriptIds: [3], scope: "jobs_only", status: "develop", obsPath: "obs://bkt/out/" });
  });

  it("sends a ticked directory with unticked jobs and directories as exclusions, not as every job id", () => {
    const body = exportRequestBody(
      { category: "job", directoryIds: [1], ids: [100], excludeDirectoryIds: [3], excludeIds: [11, 12], description: "" },
      defaultChoices(),
    );
    expect(body).toEqual({
      category: "job",
      all: false,
      obsPath: "",
      scope: "jobs_only",
      status: "develop",
      directoryIds: [1],
      jobIds: [100],
      excludeDirectoryIds: [3],
      excludeJobIds: [11, 12],
    });
    const scripts = exportRequestBody({ category: "script", all: true, excludeIds: [7], description: "" }, defaultChoices());
    expect(scripts).toMatchObject({ all: true, excludeScriptIds: [7] });
    expect(scripts).not.toHaveProperty("excludeJobIds");
  });

  it("Export Workspace Script sends the workspace's scripts changed since a time, with no job scope", () => {
    const target = { category: "script" as const, workspace: true, all: true, description: "all scripts of the workspace" };
    expect(exportProblem(target, defaultChoices())).toBeNull();
    expect(exportRequestBody(target, { ...defaultChoices(), scope: "with_dependencies", changedSince: "2026-03-01T08:30" })).toEqual({
      category: "script",
      all: true,
      scope: "jobs_only",
      status: "develop",
      obsPath: "",
      changedSince: new Date(2026, 2, 1, 8, 30).toISOString(),
    });
  });

  it("Export Workspace Job sends the whole workspace changed since a time, or all jobs when empty", () => {
    const target = { category: "job" as const, workspace: true, all: true, description: "all jobs of the workspace" };
    const since = exportRequestBody(target, { ...defaultChoices(), scope: "with_dependencies", status: "submit", changedSince: "2026-03-01T08:30" });
    expect(since).toEqual({
      category: "job",
      all: true,
      scope: "with_dependencies",
      status: "submit",
      obsPath: "",
      changedSince: new Date(2026, 2, 1, 8, 30).toISOString(), // the user's local time, as an instant
    });
    const everything = exportRequestBody(target, defaultChoices());
    expect(everything).toEqual({ category: "job", all: true, scope: "jobs_only", status: "develop", obsPath: "" });
    // Whatever was ticked in the tree is not part of a workspace export.
    expect(exportRequestBody({ ...target, ids: [1], directoryIds: [2], excludeIds: [3] }, defaultChoices())).toEqual(everything);
    expect(exportProblem(target, defaultChoices())).toBeNull();
    expect(exportProblem(target, { ...defaultChoices(), changedSince: "yesterday" })).toMatch(/date and time/);
  });

  it("reads a datetime-local value as local time", () => {
    expect(changedSinceIso("")).toBeNull();
    expect(changedSinceIso("  ")).toBeNull();
    expect(changedSinceIso("2026-12-31T23:59")).toBe(new Date(2026, 11, 31, 23, 59).toISOString());
    expect(changedSinceIso("2026-12-31T23:59:30")).toBe(new Date(2026, 11, 31, 23, 59, 30).toISOString());
    expect(changedSinceIso("2026-13-45T99:99")).toBeUndefined();
    expect(changedSinceIso("31/12/2026")).toBeUndefined();
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
    expect(describeSelection("job", false, 1, 0, undefined, { directories: 0, ids: 2 })).toBe("1 directory except 2 jobs");
    expect(describeSelection("job", true, 1, 1, undefined, { directories: 1, ids: 1 })).toBe("all jobs except 1 directory and 1 job");
    expect(describeSelection("script", false, 0, 1, "s1", { directories: 0, ids: 0 })).toBe("s1");
  });

  it("knows when a task is done", () => {
    expect(isTaskDone({ status: "RUNNING" })).toBe(false);
    expect(isTaskDone({ status: "FAILED" })).toBe(true);
  });
});

describe("export to an OBS folder", () => {
  const one = { category: "job" as const, ids: [1], description: "doc1" };

  it("names the file the package lands as, when the selection decides it", () => {
    expect(exportFileName(one)).toBe("DLF_doc1.zip");
    expect(exportFileName({ category: "script", ids: [2], description: "s_etl" })).toBe("DLF_s_etl.zip");
    expect(exportFileName({ category: "job", ids: [1, 2], description: "2 jobs" })).toBe("jobs.zip");
    expect(exportFileName({ category: "script", ids: [1, 2], description: "2 scripts" })).toBe("scripts.zip");
    // A directory may hold one job or many: the server decides.
    expect(exportFileName({ category: "job", directoryIds: [4], description: "1 directory" })).toBeNull();
    expect(exportFileName({ category: "job", workspace: true, all: true, description: "all jobs of the workspace" })).toBeNull();
    expect(exportFileName({ category: "job", ids: [1], description: "1 job" })).toBeNull();
  });

  it("shows where the package will land", () => {
    expect(obsTargetHint(one, " obs://bkt/out ")).toBe("The package will be written to obs://bkt/out/DLF_doc1.zip.");
    expect(obsTargetHint({ category: "job", directoryIds: [4], description: "1 directory" }, "obs://bkt/out/")).toMatch(
      /^The package will be written into obs:\/\/bkt\/out\/ under its DataArts name \(DLF_<job>\.zip for one job, jobs\.zip for several\)\.$/,
    );
    expect(obsTargetHint(one, "")).toBeNull();
    expect(obsTargetHint(one, "obs://bkt/out/DLF_doc1.zip")).toBeNull();
  });

  it("refuses a path naming a .zip and sends obsOverwrite only when asked, with a folder", () => {
    expect(exportProblem(one, { ...defaultChoices(), obsPath: "obs://bkt/out/DLF_doc1.zip" })).toMatch(/folder, not a file/);
    expect(exportRequestBody(one, { ...defaultChoices(), obsPath: "obs://bkt/out/", obsOverwrite: true })).toMatchObject({ obsPath: "obs://bkt/out/", obsOverwrite: true });
    expect(exportRequestBody(one, { ...defaultChoices(), obsPath: "obs://bkt/out/" })).not.toHaveProperty("obsOverwrite");
    expect(exportRequestBody(one, { ...defaultChoices(), obsPath: "", obsOverwrite: true })).not.toHaveProperty("obsOverwrite");
  });
});
