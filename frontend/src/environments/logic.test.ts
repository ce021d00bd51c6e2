import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Profile } from "../api/profiles";
import { emptyForm, formFromProfile, formProblems, formToInput, parseProfileFile, ruleProblem, sectionOf, serverProblems, targetLabel } from "./logic";

const saved: Profile = {
  id: 3,
  name: "prod",
  description: "",
  target: {
    kind: "remote",
    workspaceId: null,
    workspaceName: null,
    endpoint: "https://dataarts.example.com",
    projectId: "p1",
    remoteWorkspaceId: "",
    obsFolder: "obs://stage/promotion/",
    accessKeySet: true,
    secretKeySet: true,
    accessKeyHint: "…0001",
  },
  mappings: [{ kind: "connection", name: "dev_dws", connectionType: "DWS", replace: "prod_dws" }],
  publicParams: [
    { name: "env", value: "prod", masked: false, valueSet: true },
    { name: "token", value: null, masked: true, valueSet: true },
  ],
  jobParams: [],
  environmentVariables: [],
  rewriteRules: [{ find: "dev_dw.", replace: "prod_dw.", regex: false, wholeWord: true }],
  duplicatePolicy: "overwrite",
  lockPolicy: "take",
  releaseLocks: false,
  targetStatus: "submitted",
  schedulePolicy: "refuse",
  expressionTimeZone: "",
  requiresApproval: false,
  createdBy: "admin",
  createdAt: "2025-01-01T00:00:00Z",
  updatedBy: "admin",
  updatedAt: "2025-01-01T00:00:00Z",
};

describe("the environment profile form", () => {
  it("starts from the saved profile with every secret blank, and sends blanks as 'keep'", () => {
    const form = formFromProfile(saved);
    expect(form.accessKey).toBe("");
    expect(form.publicParams[1]).toEqual({ job: "", name: "token", value: "", masked: true, stored: true });
    const input = formToInput(form);
    expect(input.target).toMatchObject({ kind: "remote", accessKey: null, secretKey: null, workspaceId: null });
    expect(input.publicParams).toEqual([
      { name: "env", value: "prod", masked: false },
      { name: "token", value: null, masked: true },
    ]);
    expect(input.mappings).toEqual([{ kind: "connection", name: "dev_dws", connectionType: "DWS", replace: "prod_dws" }]);
    expect(formProblems(form, saved)).toEqual({});
  });

  it("sends only the fields of the target's kind", () => {
    const form = { ...emptyForm(), name: "to_prod", workspaceId: 7, endpoint: "https://left.over" };
    expect(formToInput(form).target).toEqual({ kind: "workspace", workspaceId: 7, endpoint: "", projectId: "", remoteWorkspaceId: "", obsFolder: "", accessKey: null, secretKey: null });
  });

  it("names each field that is wrong, as the server names it", () => {
    const form = {
      ...emptyForm(),
      name: "bad name",
      kind: "remote" as const,
      endpoint: "ftp://x",
      mappings: [
        { kind: "connection" as const, name: "a", connectionType: "", replace: "" },
        { kind: "connection" as const, name: "a", connectionType: "", replace: "b" },
      ],
      jobParams: [{ job: "", name: "p", value: "", masked: false, stored: false }],
      rewriteRules: [{ find: "dev_dw", replace: "x", regex: true, wholeWord: true }],
    };
    expect(formProblems(form, null)).toEqual({
      name: "1 to 64 letters, digits, '-', '_' or '.'.",
      "target.endpoint": "An http:// or https:// URL.",
      "target.projectId": "1 to 64 letters, digits, '-' or '_'.",
      "target.obsFolder": "An OBS folder, obs://bucket/folder/.",
      "target.accessKey": "Enter the access key.",
      "target.secretKey": "Enter the secret key.",
      "mappings.0.replace": "Enter the name in the target.",
      "mappings.1.name": "Mapped twice.",
      "jobParams.0.job": "Enter the job.",
      "rewriteRules.0.find": "Anchor the expression: start it with ^ or end it with $.",
    });
  });

  it("checks rewrite rules as far as the browser can", () => {
    expect(ruleProblem({ find: "dev_dw.", replace: "prod_dw.", regex: false, wholeWord: true })).toBeNull();
    expect(ruleProblem({ find: "^dev_(\\w+)$", replace: "prod_\\1", regex: true, wholeWord: true })).toBeNull();
    expect(ruleProblem({ find: "_dev$", replace: "", regex: true, wholeWord: true })).toBeNull();
    expect(ruleProblem({ find: "^(unclosed", replace: "", regex: true, wholeWord: true })).toBe("The expression is not valid.");
    expect(ruleProblem({ find: "", replace: "", regex: false, wholeWord: true })).toBe("Enter the text to find.");
  });

  it("shows the server's field errors in their sections", () => {
    const error = new ApiError(400, "rewrite_rule_invalid", "rewriteRules.0.find: ...", { "rewriteRules.0.find": ["A repeated group"], "target.secretKey": ["Enter it."] });
    expect(serverProblems(error)).toEqual({ "rewriteRules.0.find": "A repeated group", "target.secretKey": "Enter it." });
    expect(["target.endpoint", "mappings.2.kind", "jobParams.0.name", "environmentVariables.1.value", "rewriteRules.0.find", "expressionTimeZone"].map(sectionOf)).toEqual([
      "Target",
      "Mappings",
      "Parameters",
      "Variables",
      "Rewrite rules",
      "Policies",
    ]);
  });

  it("reads an exported file before sending it", () => {
    const text = JSON.stringify({ format: "dataarts-console/environment-profile", version: 1, profile: { name: "prod", target: { kind: "remote" } } });
    expect(parseProfileFile(text)).toMatchObject({ ok: true, name: "prod", remote: true });
    expect(parseProfileFile("{")).toEqual({ ok: false, problem: "The file is not JSON." });
    expect(parseProfileFile('{"format": "zip"}')).toEqual({ ok: false, problem: "The file is not an exported environment profile." });
  });

  it("says where a profile promotes to", () => {
    expect(targetLabel(saved)).toBe("https://dataarts.example.com · project p1");
    expect(targetLabel({ ...saved, target: { ...saved.target, kind: "workspace", workspaceName: "prod" } })).toBe("Workspace prod");
  });
});
