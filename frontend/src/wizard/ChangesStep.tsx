import { useEffect, useMemo, useRef, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import * as ep from "../api/endpoints";
import { useNodeTypes } from "../api/hooks";
import type { Id } from "../api/types";
import { ChangeTable } from "../diff/ChangeTable";
import { JobDiffView } from "../diff/JobDiffView";
import { formatValue } from "../diff/logic";
import { ScriptDiffView } from "../diff/ScriptDiffView";
import { ErrorNotice, Spinner } from "../ui/bits";
import {
  CHANGE_LABELS,
  changeChips,
  changeName,
  changesQuery,
  diffView,
  emptyFilter,
  emptyText,
  listRows,
  nextOffset,
  PAGE_SIZE,
  rowDetail,
  rowLabel,
  summaryLine,
  toggleChange,
  toggleType,
  typeChips,
  wantsMore,
  type Chip,
  type ChangeFilter,
  type LoadedPage,
  type ObjectChange,
} from "./changes";
import type { WizardEvent, WizardState } from "./machine";
import { kindLabel } from "./ReviewStep";
import "./changes.css";

const ROW_HEIGHT = 32;

/** The change-set's queries: under the import's task and its preview (a new preview reads afresh). */
export const changesKey = (ws: Id, taskId: string, preview: number) => ["ws", ws, "import", taskId, "preview", preview] as const;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function Chips<K extends string>({ label, chips, onToggle }: { label: string; chips: Chip<K>[]; onToggle: (value: K) => void }) {
  if (!chips.length) return null;
  return (
    <div className="change-chips" role="group" aria-label={label}>
      {chips.map((c) => (
        <button key={c.value} type="button" className={`chip chip-${c.value}`} aria-pressed={c.pressed} onClick={() => onToggle(c.value)}>
          {c.label}
          {c.count !== undefined && <span className="chip-count">{c.count.toLocaleString("en-US")}</span>}
        </button>
      ))}
    </div>
  );
}

/** Step 3: what the import will change, object by object, each one's diff on a click, then Import. */
export function ChangesStep({ s, dispatch, ws }: { s: WizardState; dispatch: React.Dispatch<WizardEvent>; ws: Id }) {
  const [filter, setFilter] = useState<ChangeFilter>(emptyFilter);
  const [opened, setOpened] = useState<ObjectChange | null>(null);
  // Where the list was when a diff was opened: back from it, the list is where it was.
  const offset = useRef(0);
  const summary = s.changes!;
  const key = changesKey(ws, s.taskId!, s.previews);
  const search = useDebounced(filter.search.trim(), 250);
  const query: ChangeFilter = useMemo(() => ({ change: filter.change, type: filter.type, search }), [filter.change, filter.type, search]);
  const refilter = (next: (f: ChangeFilter) => ChangeFilter) => {
    offset.current = 0; // another filter starts at its top
    setFilter(next);
  };
  if (opened) return <ChangeDetail ws={ws} taskId={s.taskId!} queryKey={key} change={opened} onBack={() => setOpened(null)} />;
  return (
    <div className="wizard-changes">
      <div className="changes-head">
        <p className="changes-summary" role="status">
          {summaryLine(summary)}
        </p>
        <label className="check-line">
          <input type="checkbox" checked={s.skipUnchanged} onChange={(e) => dispatch({ type: "setSkipUnchanged", value: e.target.checked })} />
          Skip unchanged objects
        </label>
      </div>
      <div className="changes-filters">
        <Chips label="Filter by change" chips={changeChips(summary, filter)} onToggle={(k) => refilter((f) => toggleChange(f, k))} />
        <Chips label="Filter by type" chips={typeChips(s.inspection, filter)} onToggle={(t) => refilter((f) => toggleType(f, t))} />
        <input
          type="search"
          className="changes-search"
          aria-label="Search changes by name"
          placeholder="Search by name"
          value={filter.search}
          onChange={(e) => {
            const search = e.target.value;
            refilter((f) => ({ ...f, search }));
          }}
        />
      </div>
      {/* A list per filter: each starts at its top, with its own pages. */}
      <ChangeList key={JSON.stringify(query)} ws={ws} taskId={s.taskId!} queryKey={key} query={query} offset={offset} onOpen={setOpened} />
    </div>
  );
}

interface ListProps {
  ws: Id;
  taskId: string;
  queryKey: ReturnType<typeof changesKey>;
  /** The filter with its search as typed a moment ago (not at every key). */
  query: ChangeFilter;
  offset: React.MutableRefObject<number>;
  onOpen: (change: ObjectChange) => void;
}

/** Every object of the change-set, one row each, in a virtual list that loads its pages as they come in view. */
function ChangeList({ ws, taskId, queryKey, query, offset, onOpen }: ListProps) {
  const pages = useInfiniteQuery({
    queryKey: [...queryKey, "changes", query.change, query.type, query.search],
    queryFn: async ({ pageParam, signal }): Promise<LoadedPage> => ({ ...(await ep.importChanges(ws, taskId, changesQuery(query, pageParam, PAGE_SIZE), signal)), offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: nextOffset,
    // A preview never changes: another one has its own key.
    staleTime: Infinity,
  });
  const { rows, total } = useMemo(() => listRows(pages.data?.pages), [pages.data]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // Before the list is measured (its first paint), a screenful of rows.
    initialRect: { width: 0, height: ROW_HEIGHT * 12 },
    initialOffset: () => offset.current,
    onChange: (v) => {
      offset.current = v.scrollOffset ?? 0;
    },
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.length ? items[items.length - 1].index : 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && wantsMore(lastVisible, rows.length, total)) void fetchNextPage();
  }, [lastVisible, rows.length, total, hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (pages.isPending) return <Spinner label="Loading the changes…" />;
  if (pages.error && !rows.length) return <ErrorNotice error={pages.error} onRetry={() => void pages.refetch()} />;
  if (!total) return <p className="muted changes-empty">{emptyText(query)}</p>;
  return (
    <>
      <div ref={scrollRef} className="changes-scroll">
        <div role="list" aria-label="Changes" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((vi) => {
            const row = rows[vi.index];
            const style = { position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${vi.start}px)` } as const;
            if (!row)
              return (
                <div key={`loading-${vi.index}`} role="listitem" aria-setsize={total} aria-posinset={vi.index + 1} className="change-row loading" style={style}>
                  <span className="muted">Loading…</span>
                </div>
              );
            const detail = rowDetail(row);
            return (
              <div key={row.id} role="listitem" aria-setsize={total} aria-posinset={vi.index + 1} className={`change-row change-${row.change}`} style={style}>
                <button type="button" onClick={() => onOpen(row)} title={row.message || undefined} aria-label={rowLabel(row, kindLabel)}>
                  <span className={`change-badge change-badge-${row.change}`}>{CHANGE_LABELS[row.change]}</span>
                  <span className="change-type">{kindLabel(row.type)}</span>
                  <span className="change-name">{changeName(row)}</span>
                  {detail && <span className={row.change === "failed" ? "change-detail error-text" : "change-detail"}>{detail}</span>}
                </button>
              </div>
            );
          })}
        </div>
      </div>
      <ErrorNotice error={pages.error} onRetry={() => void pages.fetchNextPage()} />
    </>
  );
}

/** One object's diff, loaded when opened: a job's DAG beside its property changes, a script's line diff. */
export function ChangeDetail({ ws, taskId, queryKey, change, onBack }: { ws: Id; taskId: string; queryKey: ReturnType<typeof changesKey>; change: ObjectChange; onBack: () => void }) {
  const nodeTypes = useNodeTypes();
  const detail = useQuery({ queryKey: [...queryKey, "change", change.id], queryFn: () => ep.importChange(ws, taskId, change.id), staleTime: Infinity });
  const view = detail.data ? diffView(detail.data) : null;
  const title = `${kindLabel(change.type)} ${changeName(change)}`;
  return (
    <section className="change-detail-view" aria-label={`Changes of ${title}`}>
      <div className="change-detail-bar">
        <button type="button" onClick={onBack} data-autofocus>
          ← All changes
        </button>
        <strong>{title}</strong>
        <span className={`change-badge change-badge-${change.change}`}>{CHANGE_LABELS[change.change]}</span>
      </div>
      {detail.isPending && <Spinner label="Loading the differences…" />}
      <ErrorNotice error={detail.error} onRetry={() => void detail.refetch()} />
      {view?.kind === "job" && <JobDiffView diff={view.diff} before={view.before} after={view.after} nodeTypes={nodeTypes.data ?? []} label="Differences" />}
      {view?.kind === "script" && <ScriptDiffView diff={view.diff} label="Differences" />}
      {view?.kind === "properties" && (
        <ChangeTable
          label="Property changes"
          rows={view.diff.properties.map((c) => ({ group: kindLabel(change.type), status: c.kind, path: c.path, old: formatValue(c, "old"), new: formatValue(c, "new") }))}
        />
      )}
      {view?.kind === "none" && <p className={change.change === "failed" ? "error-text" : "muted"}>{view.text}</p>}
    </section>
  );
}
