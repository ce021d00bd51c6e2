import { describe, expect, it } from "vitest";
import type { HistoryEntry, UndoPreview } from "../api/history";
import { canConfirm, countsText, finished, previewGroups, shortSha, stateText, titleOf, undoLabel, undoProgress } from "./logic";

const entry = (over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id: "a1",
  kind: "import",
  name: "Import jobs.zip",
  status: "SUCCESSFUL",
  step: "done",
  message: "",
  createdBy: "dev",
  createdAt: "2026-01-01T00:00:00Z",
  endedAt: "2026-01-01T00:01:00Z",
  source: { type: "upload", fileName: "jobs.zip", label: "jobs.zip" },
  sha256: "0123456789abcdef0123",
  summary: { created: 2, overwritten: 1, skipped: 0, failed: 0 },
  undoes: null,
  undoneBy: null,
  canUndo: true,
  undoRefusal: null,
  ...over,
});

const preview = (over: Partial<UndoPreview> = {}): UndoPreview => ({
  task: "a1",
  force: false,
  refusal: null,
  summary: "Restore 1 job to the state before the import.",
  counts: { restore: { job: 1 }, recreate: {}, delete: {}, keep: {}, fail: {} },
  total: 1,
  objects: [{ type: "job", name: "j", action: "restore", outcome: "reversed", message: "Restored job j." }],
  truncated: false,
  ...over,
});

describe("a history row", () => {
  it("counts what is not zero, in the report's order", () => {
    expect(countsText(entry())).toBe("2 created, 1 overwritten");
    expect(countsText(entry({ kind: "undo", summary: { failed: 1, reversed: 3, kept: 0 } }))).toBe("3 reversed, 1 failed");
    expect(countsText(entry({ summary: null }))).toBe("—");
  });

  it("says its state, its title and what undoing it means", () => {
    expect(stateText(entry())).toBe("Succeeded");
    expect(stateText(entry({ undoneBy: "u1" }))).toBe("Succeeded; undone");
    expect(stateText(entry({ status: "WAITING" }))).toBe("Waiting for the choices");
    expect(titleOf(entry())).toBe("jobs.zip");
    expect(titleOf(entry({ kind: "undo", undoes: "a1", source: null }))).toBe("Undo of a1");
    expect(undoLabel(entry({ kind: "undo" }))).toBe("Redo");
    expect(shortSha(entry().sha256)).toBe("0123456789ab");
    expect(shortSha(null)).toBe("—");
  });
});

describe("the undo's preview", () => {
  it("lists the kept and failing objects apart from the rest", () => {
    const p = preview({
      total: 5,
      objects: [
        { type: "job", name: "k", action: "keep", outcome: "kept", message: "Kept job k: edited since." },
        { type: "job", name: "f", action: "fail", outcome: "failed", message: "Could not undo." },
        { type: "job", name: "r", action: "restore", outcome: "reversed", message: "Restored." },
      ],
    });
    const groups = previewGroups(p);
    expect(groups.kept.map((o) => o.name)).toEqual(["k"]);
    expect(groups.failing.map((o) => o.name)).toEqual(["f"]);
    expect(groups.others).toBe(3);
  });

  it("may be confirmed only when something is to be done and nothing fails", () => {
    expect(canConfirm(preview())).toBe(true);
    expect(canConfirm(undefined)).toBe(false);
    expect(canConfirm(preview({ refusal: "undone already" }))).toBe(false);
    expect(canConfirm(preview({ counts: { restore: { job: 1 }, fail: { job: 1 } } }))).toBe(false);
    expect(canConfirm(preview({ counts: { keep: { job: 2 } } }))).toBe(false);
  });
});

describe("a running undo", () => {
  it("shows the worker's counts, then the task's message", () => {
    const live = { step: "undo", done: 3, total: 10, failed: 0, objects: [], updatedAt: "" };
    expect(undoProgress({ status: "RUNNING", progress: 30, message: "", live })).toEqual({ percent: 30, text: "3 of 10 objects…", done: false });
    expect(undoProgress({ status: "PENDING", progress: 0, message: "", live: null }).text).toBe("Waiting for a worker…");
    expect(undoProgress({ status: "SUCCESSFUL", progress: 100, message: "Undid the import.", live: null })).toEqual({
      percent: 100,
      text: "Undid the import.",
      done: true,
    });
    expect(finished("FAILED")).toBe(true);
  });
});
