/** The directory tree's toolbar (search, Refresh, the ⋮ menu button) and its legend of row marks. */
import { useRef } from "react";
import type { Category } from "../api/types";

export function TreeToolbar({
  noun,
  category,
  search,
  onSearch,
  onRefresh,
  onMenu,
}: {
  noun: { one: string; many: string };
  category: Category;
  search: string;
  onSearch: (value: string) => void;
  onRefresh: () => void;
  /** Opens the ⋮ menu below its button. */
  onMenu: (at: { x: number; y: number }) => void;
}) {
  const kebabRef = useRef<HTMLButtonElement>(null);
  return (
    <div className="tree-toolbar">
      <input
        type="search"
        className="tree-search"
        aria-label={`Search ${noun.many.toLowerCase()}`}
        placeholder={category === "job" ? "Enter a job or owner keyword" : `Enter a ${noun.one.toLowerCase()} name`}
        value={search}
        onChange={(e) => onSearch(e.target.value)}
      />
      <button type="button" className="icon-button" aria-label={`Refresh ${noun.many.toLowerCase()}`} title="Refresh" onClick={onRefresh}>
        ⟳
      </button>
      <button
        ref={kebabRef}
        type="button"
        className="icon-button"
        aria-label={`${noun.many} menu`}
        aria-haspopup="menu"
        title="More"
        onClick={() => {
          const r = kebabRef.current!.getBoundingClientRect();
          onMenu({ x: r.left, y: r.bottom + 2 });
        }}
      >
        ⋮
      </button>
    </div>
  );
}

export function TreeLegend({ category }: { category: Category }) {
  return (
    <div className="tree-legend" aria-hidden="true">
      <span className="legend-dot unsubmitted" /> not submitted
      {category === "job" && (
        <>
          <span className="legend-dot unscheduled" /> not scheduled
        </>
      )}
    </div>
  );
}
