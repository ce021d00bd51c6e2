/**
 * The Workspace Settings dialog's OBS allow-list: the rows an admin edits, what is sent, and the
 * server's refusal of an entry mapped back to the row it came from. The server checks and normalises
 * the entries (factory/obs/scope.py); nothing here second-guesses it.
 */
import { isApiError } from "../api/client";

export interface AllowListRequest {
  /** The entries as sent: trimmed, blank rows left out. */
  entries: string[];
  /** For each entry sent, the row it came from. */
  rowOf: number[];
}

/** The rows as the PATCH body's obsAllowList; blank rows (an "Add entry" not filled in) are not sent. */
export function allowListRequest(rows: readonly string[]): AllowListRequest {
  const entries: string[] = [];
  const rowOf: number[] = [];
  rows.forEach((row, index) => {
    const text = row.trim();
    if (!text) return;
    entries.push(text);
    rowOf.push(index);
  });
  return { entries, rowOf };
}

function text(value: unknown): string {
  if (value == null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(text).filter(Boolean).join(" ");
  if (typeof value === "object") return Object.values(value as Record<string, unknown>).map(text).filter(Boolean).join(" ");
  return String(value);
}

/**
 * The server's complaints about single entries, by row: `entries[i]` from the allow-list check (its
 * message names the entry and says why, so it is shown whole when it is the only complaint), or DRF's
 * `obsAllowList: {i: [...]}` for an entry too long. Null when the error is not about single entries.
 */
export function allowListRowErrors(error: unknown, rowOf: readonly number[]): Record<number, string> | null {
  if (!isApiError(error)) return null;
  const byEntry: [number, string][] = [];
  for (const [key, value] of Object.entries(error.fields)) {
    const m = /^entries\[(\d+)\]$/.exec(key);
    if (m) byEntry.push([Number(m[1]), text(value)]);
  }
  const nested = error.fields.obsAllowList;
  if (nested && typeof nested === "object" && !Array.isArray(nested)) {
    for (const [key, value] of Object.entries(nested as Record<string, unknown>)) {
      if (/^\d+$/.test(key)) byEntry.push([Number(key), text(value)]);
    }
  }
  if (!byEntry.length) return null;
  const out: Record<number, string> = {};
  for (const [index, reason] of byEntry) {
    const row = rowOf[index] ?? index;
    out[row] = byEntry.length === 1 && error.message ? error.message : reason || error.message;
  }
  return out;
}

/** One entry in plain words, for members who only read the list. */
export function describeEntry(entry: string): string {
  if (entry === "*") return "Any bucket (but the console's own storage)";
  const slash = entry.indexOf("/");
  if (slash < 0) return `obs://${entry}/ (the whole bucket)`;
  return `obs://${entry.endsWith("/") ? entry : `${entry}/`} and the folders below it`;
}
