/**
 * Which nodes name objects this workspace does not hold (a script, data connection, DLI queue... left
 * unresolved at import, or deleted since): the server lists them for the saved document; the canvas
 * keeps a flag only while the node still names that object, so that fixing the property clears it at once.
 */
import type { JobNodeDoc, UnresolvedReference } from "../api/types";
import { referenceKindWord } from "../wizard/references";

/** "connection dws_x does not exist in this workspace" */
export const unresolvedMessage = (u: Pick<UnresolvedReference, "kind" | "name">) => `${referenceKindWord(u.kind)} ${u.name} does not exist in this workspace`;

function currentValue(node: JobNodeDoc, property: string): unknown {
  const [head, rest] = property.split(".", 2);
  if (rest !== undefined) {
    const part = (node as Record<string, unknown>)[head];
    return part && typeof part === "object" ? (part as Record<string, unknown>)[rest] : undefined;
  }
  // transforms.ts reads this module: the property list is read here rather than through its nodeProperties.
  return (node.properties ?? []).find((p) => p && p.name === property)?.value;
}

/** The references of `node` that are still unresolved: the server named them and the node still uses them. */
export function nodeUnresolved(node: JobNodeDoc, refs: readonly UnresolvedReference[] | undefined): UnresolvedReference[] {
  return (refs ?? []).filter((u) => {
    if (u.node !== node.name) return false;
    const value = currentValue(node, u.property);
    return typeof value === "string" && value.trim() === u.name;
  });
}

/** Property name → what is wrong with it, for the property panel. */
export function unresolvedByProperty(node: JobNodeDoc, refs: readonly UnresolvedReference[] | undefined): Record<string, string> {
  return Object.fromEntries(nodeUnresolved(node, refs).map((u) => [u.property, unresolvedMessage(u)]));
}
