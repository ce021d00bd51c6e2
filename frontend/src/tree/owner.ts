/**
 * Configure Owner, as plain logic: what the dialog asks for, what it sends and what it says afterwards.
 * With ticked jobs (or scripts) it changes those; without, it is DataArts' Migrate: every object of the
 * Current Owner goes to the Target Owner.
 */
import type { OwnerSet, OwnerSetResult } from "../api/types";
import type { Ticked } from "./selection";

export const OWNER_MAX = 128; // DataArts' basicConfig.owner limit; the server says the same

export interface OwnerForm {
  /** Migrate only: whose objects move. */
  currentOwner: string;
  targetOwner: string;
}

/** Why OK (or Migrate) cannot be pressed yet, or null. `ticked` null: the Migrate form. */
export function ownerProblem(ticked: Ticked | null, form: OwnerForm): string | null {
  const current = form.currentOwner.trim();
  const target = form.targetOwner.trim();
  if (ticked === null) {
    if (!current) return "Enter the Current Owner.";
    if (current.length > OWNER_MAX) return `The Current Owner has at most ${OWNER_MAX} characters.`;
  } else if (!ticked.count) return "Tick at least one object.";
  if (!target) return "Enter the Target Owner.";
  if (target.length > OWNER_MAX) return `The Target Owner has at most ${OWNER_MAX} characters.`;
  if (ticked === null && current === target) return "The Current Owner and the Target Owner are the same.";
  return null;
}

export function ownerRequest(ticked: Ticked | null, form: OwnerForm): OwnerSet {
  const owner = form.targetOwner.trim();
  return ticked === null ? { currentOwner: form.currentOwner.trim(), owner } : { ...ticked.selection, owner };
}

/** "Changed the owner of 2 jobs to dana." / "No job is owned by bob." */
export function ownerResultText(result: OwnerSetResult, nouns: { one: string; many: string }, form: OwnerForm, migrate: boolean): string {
  const one = nouns.one.toLowerCase();
  const many = nouns.many.toLowerCase();
  const count = (n: number) => `${n} ${n === 1 ? one : many}`;
  const owner = form.targetOwner.trim();
  if (!result.changed && !result.skipped) return migrate ? `No ${one} is owned by ${form.currentOwner.trim()}.` : `No ${one} was changed.`;
  const parts = [result.changed ? `Changed the owner of ${count(result.changed)} to ${owner}.` : `No ${one} was changed.`];
  if (result.skipped) parts.push(`${count(result.skipped)} already had that owner.`);
  return parts.join(" ");
}
