import { describe, expect, it } from "vitest";
import { apiErrorFrom, networkError } from "../api/client";
import { lockStatus, saveProblem } from "./messages";

describe("save problems", () => {
  it("a 412 is a stale save", () => {
    const p = saveProblem(apiErrorFrom(412, { message: "Precondition failed", code: "stale" }), "job");
    expect(p.kind).toBe("stale");
    expect(p.message).toMatch(/Someone else saved this job/);
  });

  it("a 409 locked names the holder", () => {
    const p = saveProblem(apiErrorFrom(409, { message: "Locked by bob.", code: "locked", extra: { fields: {}, lockHolder: "bob" } }), "script");
    expect(p.kind).toBe("locked");
    expect(p.message).toMatch(/need the lock to change this script/);
    expect(p.message).toMatch(/bob holds the lock/);
  });

  it("anything else is shown as it came", () => {
    expect(saveProblem(apiErrorFrom(400, { message: "nodes: a node needs a name", code: "invalid" }), "job")).toEqual({ kind: "other", message: "nodes: a node needs a name" });
    expect(saveProblem(networkError(null), "job").message).toMatch(/cannot be reached/);
  });

  it("says who holds the lock", () => {
    expect(lockStatus({ lockedByMe: true, lockHolder: "me" })).toBe("Locked by you");
    expect(lockStatus({ lockedByMe: false, lockHolder: "bob" })).toBe("Locked by bob");
    expect(lockStatus({ lockedByMe: false, lockHolder: null })).toBe("Unlocked");
  });
});
