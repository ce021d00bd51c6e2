import { describe, expect, it } from "vitest";
import { apiErrorFrom } from "../api/client";
import { allowListRequest, allowListRowErrors, describeEntry } from "./allowList";

describe("the OBS allow-list rows", () => {
  it("sends trimmed entries without the blank rows, remembering each entry's row", () => {
    expect(allowListRequest([" dlf-demo ", "", "  ", "team-bucket/in/"])).toEqual({ entries: ["dlf-demo", "team-bucket/in/"], rowOf: [0, 3] });
    expect(allowListRequest([])).toEqual({ entries: [], rowOf: [] });
  });

  it("shows the server's refusal of an entry beside the row it came from", () => {
    const rows = ["dlf-demo", "", "Bad_Bucket"];
    const { rowOf } = allowListRequest(rows);
    const error = apiErrorFrom(400, {
      message: "Allow-list entry 'Bad_Bucket': 'Bad_Bucket' is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens).",
      code: "obs_allow_list_invalid",
      extra: { fields: { "entries[1]": "invalid bucket name" } },
    });
    // entries[1] is the second entry sent, which is row 2 (the blank row 1 was not sent)
    expect(allowListRowErrors(error, rowOf)).toEqual({ 2: expect.stringContaining("not a valid bucket name") });
  });

  it("maps DRF's per-item errors too, and nothing when the error is not about an entry", () => {
    const tooLong = apiErrorFrom(400, { message: "Invalid input.", code: "invalid", extra: { fields: { obsAllowList: { "0": ["Ensure this field has no more than 1100 characters."] } } } });
    expect(allowListRowErrors(tooLong, [4])).toEqual({ 4: "Invalid input." });
    const twice = apiErrorFrom(400, { message: "Two bad.", code: "invalid", extra: { fields: { "entries[0]": "empty", "entries[1]": { "entries[1]": "may not contain .." } } } });
    expect(allowListRowErrors(twice, [0, 1])).toEqual({ 0: "empty", 1: "may not contain .." });
    expect(allowListRowErrors(apiErrorFrom(403, { message: "Workspace admins only.", code: "permission_denied" }), [0])).toBeNull();
    expect(allowListRowErrors(null, [])).toBeNull();
  });

  it("says in words what each entry allows", () => {
    expect(describeEntry("*")).toMatch(/^Any bucket/);
    expect(describeEntry("dlf-demo")).toBe("obs://dlf-demo/ (the whole bucket)");
    expect(describeEntry("dlf-demo/team/")).toBe("obs://dlf-demo/team/ and the folders below it");
  });
});
