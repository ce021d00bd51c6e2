import type { Category, Id } from "../api/types";
import { useDirLoader } from "./hooks";
import type { DirKey } from "./selection";

function DirLoader({ ws, category, dir }: { ws: Id; category: Category; dir: DirKey }) {
  useDirLoader(ws, category, dir);
  return null;
}

/**
 * One loader per expanded directory (TanStack has no useInfiniteQueries): each keeps its directory's pages
 * in the query cache, where the tree reads them, and refetches them when a write invalidates the tree.
 */
export function DirLoaders({ ws, category, expanded }: { ws: Id; category: Category; expanded: ReadonlySet<string> }) {
  return (
    <>
      {[...expanded].map((key) => (
        <DirLoader key={key} ws={ws} category={category} dir={key === "root" ? null : Number(key)} />
      ))}
    </>
  );
}
