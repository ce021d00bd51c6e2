/**
 * What to tell the user when saving, submitting or locking fails, by the API's stable error codes.
 */
import { ApiError, errorMessage } from "../api/client";
import type { LockInfo } from "../api/types";

export type SaveProblem = { kind: "stale" | "locked" | "other"; message: string };

export function saveProblem(error: unknown, noun: "job" | "script"): SaveProblem {
  if (error instanceof ApiError) {
    if (error.status === 412 || error.code === "stale") {
      return {
        kind: "stale",
        message: `Someone else saved this ${noun} after you opened it. Reload it to see their version; your unsaved changes will be lost.`,
      };
    }
    if (error.code === "locked" || (error.status === 409 && /lock/i.test(error.message))) {
      const holder = typeof error.extra.lockHolder === "string" ? error.extra.lockHolder : null;
      const who = holder ? ` ${holder} holds the lock.` : "";
      return { kind: "locked", message: `You need the lock to change this ${noun}.${who} ${error.message}`.trim() };
    }
  }
  return { kind: "other", message: errorMessage(error) };
}

/** The lock line shown in an editor's toolbar. */
export function lockStatus(o: LockInfo): string {
  if (o.lockedByMe) return "Locked by you";
  if (o.lockHolder) return `Locked by ${o.lockHolder}`;
  return "Unlocked";
}

export const MAX_VERSION_DESCRIPTION = 128;
