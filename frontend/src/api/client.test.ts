import { describe, expect, it } from "vitest";
import { ApiError, apiErrorFrom, errorMessage, fileNameFromDisposition, networkError, queryString, readCookie } from "./client";

describe("apiErrorFrom", () => {
  it("reads the console's error envelope", () => {
    const err = apiErrorFrom(409, { message: "Locked by alice.", code: "locked", extra: { fields: { name: ["taken"] }, holder: "alice" } });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(409);
    expect(err.code).toBe("locked");
    expect(err.message).toBe("Locked by alice.");
    expect(err.fields).toEqual({ name: ["taken"] });
    expect(err.extra.holder).toBe("alice");
    expect(err.fieldMessage("name")).toBe("taken");
    expect(err.fieldMessage("other")).toBeUndefined();
  });

  it("maps a stale save to code stale with the server's words", () => {
    const err = apiErrorFrom(412, { message: "Someone saved this job after you opened it.", code: "stale", extra: { fields: {} } });
    expect(err.code).toBe("stale");
    expect(err.message).toMatch(/saved this job/);
  });

  it("falls back to plain words and a code by status when the body is not the envelope", () => {
    const err = apiErrorFrom(502, null, "Bad Gateway");
    expect(err.code).toBe("server_error");
    expect(err.message).toBe("The server cannot be reached.");
    expect(err.fields).toEqual({});
    expect(apiErrorFrom(404, "<html>").code).toBe("not_found");
    expect(apiErrorFrom(418, null, "I'm a teapot").message).toBe("I'm a teapot");
  });

  it("accepts DRF's detail shape", () => {
    const err = apiErrorFrom(403, { detail: "Authentication credentials were not provided." });
    expect(err.message).toBe("Authentication credentials were not provided.");
    expect(err.code).toBe("permission_denied");
  });

  it("keeps a server-given not_authenticated code", () => {
    expect(apiErrorFrom(403, { message: "Not signed in.", code: "not_authenticated" }).code).toBe("not_authenticated");
  });

  it("tolerates a malformed extra", () => {
    const err = apiErrorFrom(400, { message: "Bad", code: "invalid", extra: "nope" });
    expect(err.fields).toEqual({});
    expect(err.fieldMessage("x")).toBeUndefined();
  });
});

describe("helpers", () => {
  it("network errors have status 0 and plain words", () => {
    const err = networkError(new TypeError("Failed to fetch"));
    expect(err.status).toBe(0);
    expect(err.code).toBe("network");
    expect(errorMessage(err)).toMatch(/cannot be reached/);
  });

  it("reads a cookie among others", () => {
    expect(readCookie("a=1; csrftoken=abc%3D; b=2", "csrftoken")).toBe("abc=");
    expect(readCookie("a=1", "csrftoken")).toBeUndefined();
    expect(readCookie("", "csrftoken")).toBeUndefined();
  });

  it("reads file names from Content-Disposition", () => {
    expect(fileNameFromDisposition('attachment; filename="DLF_doc1.zip"')).toBe("DLF_doc1.zip");
    expect(fileNameFromDisposition("attachment; filename=jobs.zip")).toBe("jobs.zip");
    expect(fileNameFromDisposition("attachment; filename*=UTF-8''DLF_%E4%BD%9C%E4%B8%9A.zip")).toBe("DLF_作业.zip");
    expect(fileNameFromDisposition(null, "x.zip")).toBe("x.zip");
  });

  it("builds query strings without empty values", () => {
    expect(queryString({ category: "job", parent: "", search: undefined, offset: 0, x: null })).toBe("?category=job&parent=&offset=0");
    expect(queryString({})).toBe("");
  });

  it("errorMessage covers plain errors and unknowns", () => {
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage(42)).toBe("Something went wrong.");
  });
});
