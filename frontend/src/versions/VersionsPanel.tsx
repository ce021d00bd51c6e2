import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import type { Id, JobDocument, NodeType, VersionSummary } from "../api/types";
import { FlowCanvas } from "../canvas/FlowCanvas";
import { JobDiffView } from "../diff/JobDiffView";
import { ScriptDiffView } from "../diff/ScriptDiffView";
import { useSessionWorkspace } from "../shell/ConsoleContext";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, formatTime, Spinner, useToast } from "../ui/bits";
import { ConfirmDialog } from "../ui/forms";
import { comparePlan, sideTitle, stableStringify, toggleCompareSelection, type CompareSide } from "./diff";

type VersionKind = "submitted" | "saved";

interface Props {
  kind: ep.ObjectKind;
  id: Id;
  name: string;
  /** The editor holds changes not saved yet: a comparison with the development state shows them not. */
  unsaved?: boolean;
  nodeTypes?: NodeType[];
  canRollBack: boolean;
  onRolledBack: () => void;
  onClose: () => void;
}

/** Submitted Versions / Saved Versions of a job or script: View, Compare, Roll Back. */
export function VersionsPanel({ kind, id, name, unsaved = false, nodeTypes = [], canRollBack, onRolledBack, onClose }: Props) {
  const { workspace } = useSessionWorkspace();
  const ws = workspace.id;
  const [tab, setTab] = useState<VersionKind>("submitted");
  const [selected, setSelected] = useState<number[]>([]);
  const [viewing, setViewing] = useState<VersionSummary | null>(null);
  const [comparing, setComparing] = useState<{ left: CompareSide; right: CompareSide } | null>(null);
  const [rollingBack, setRollingBack] = useState<VersionSummary | null>(null);
  const toast = useToast();
  const list = useQuery({ queryKey: keys.versions(ws, kind, id, tab), queryFn: () => ep.versionsList(ws, kind, id, tab) });
  const versions = list.data ?? [];
  const selectedVersions = versions.filter((v) => selected.includes(v.id));
  const plan = comparePlan(selectedVersions);
  const noun = kind === "jobs" ? "job" : "script";

  return (
    <section className="versions-panel" aria-label="Versions">
      <header className="versions-header">
        <div role="tablist" aria-label="Version lists" className="subtabs">
          {(["submitted", "saved"] as const).map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={tab === k}
              className={tab === k ? "active" : ""}
              onClick={() => {
                setTab(k);
                setSelected([]);
              }}
            >
              {k === "submitted" ? "Submitted Versions" : "Saved Versions"}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => plan && setComparing(plan)} disabled={!plan} title="Select one version to compare with the development state, or two to compare them">
          Compare{selected.length === 1 ? " with development state" : ""}
        </button>
        <button type="button" onClick={() => void list.refetch()} aria-label="Refresh versions">
          ⟳
        </button>
        <span className="toolbar-fill" />
        <button type="button" className="icon-button" aria-label="Close versions" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="versions-body" role="tabpanel">
        {list.isPending && <Spinner label="Loading versions…" />}
        <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
        {list.data && versions.length === 0 && <p className="muted">No {tab} versions yet.</p>}
        {versions.length > 0 && (
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Compare</span>
                </th>
                <th scope="col">Version</th>
                <th scope="col">Committed By</th>
                <th scope="col">Committed At</th>
                <th scope="col">Version Description</th>
                <th scope="col">Operation</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id} className={selected.includes(v.id) ? "selected" : ""}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select version ${v.number} to compare`}
                      checked={selected.includes(v.id)}
                      onChange={() => setSelected((s) => toggleCompareSelection(s, v.id))}
                    />
                  </td>
                  <td>V{v.number}</td>
                  <td>{v.createdBy ?? "—"}</td>
                  <td>{formatTime(v.createdAt)}</td>
                  <td>{v.description || "—"}</td>
                  <td className="ops">
                    <button type="button" className="link-button" onClick={() => setViewing(v)} aria-label={`View version ${v.number}`}>
                      View
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setRollingBack(v)}
                      disabled={!canRollBack}
                      title={canRollBack ? undefined : `Lock the ${noun} to roll back`}
                      aria-label={`Roll back to version ${v.number}`}
                    >
                      Roll Back
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {viewing && <ViewDialog ws={ws} kind={kind} id={id} version={viewing} name={name} nodeTypes={nodeTypes} onClose={() => setViewing(null)} />}
      {comparing && <CompareDialog ws={ws} kind={kind} id={id} plan={comparing} nodeTypes={nodeTypes} unsaved={unsaved} onClose={() => setComparing(null)} />}
      {rollingBack && (
        <ConfirmDialog
          title="Roll Back"
          confirmLabel="Roll Back"
          onClose={() => setRollingBack(null)}
          invalidates={[["ws", ws, kind, id]]}
          onConfirm={async () => {
            await ep.versionRollback(ws, kind, id, rollingBack.id);
            toast(`Rolled back to version ${rollingBack.number}.`);
            onRolledBack();
          }}
        >
          Replace the development state of {noun} <strong>{name}</strong> with version {rollingBack.number}? Unsaved changes are lost; submit afterwards to make it the
          version that runs.
        </ConfirmDialog>
      )}
    </section>
  );
}

function useVersionDocument(ws: Id, kind: ep.ObjectKind, id: Id, version: VersionSummary) {
  const q = useQuery({
    queryKey: keys.version(ws, kind, id, version.id),
    queryFn: () => ep.versionGet(ws, kind, id, version.id),
    staleTime: Infinity,
  });
  return { data: q.data?.document, error: q.error, pending: q.isPending };
}

function ViewDialog({ ws, kind, id, version, name, nodeTypes, onClose }: { ws: Id; kind: ep.ObjectKind; id: Id; version: VersionSummary; name: string; nodeTypes: NodeType[]; onClose: () => void }) {
  const doc = useVersionDocument(ws, kind, id, version);
  const [asJson, setAsJson] = useState(kind === "scripts");
  return (
    <Dialog title={`${name} — ${sideTitle({ kind: "version", version })} (read-only)`} onClose={onClose} width="min(1100px, 94vw)" className="dialog-tall">
      {doc.pending && <Spinner label="Loading the version…" />}
      <ErrorNotice error={doc.error} />
      {doc.data && (
        <>
          {kind === "jobs" && (
            <div className="subtabs" role="tablist" aria-label="Version view">
              <button type="button" role="tab" aria-selected={!asJson} className={!asJson ? "active" : ""} onClick={() => setAsJson(false)}>
                Canvas
              </button>
              <button type="button" role="tab" aria-selected={asJson} className={asJson ? "active" : ""} onClick={() => setAsJson(true)}>
                JSON
              </button>
            </div>
          )}
          {kind === "jobs" && !asJson ? (
            <div className="version-canvas">
              <FlowCanvas label={`Version ${version.number} of ${name}`} document={doc.data as unknown as JobDocument} nodeTypes={nodeTypes} editable={false} />
            </div>
          ) : (
            <pre className="json-view" aria-label="Version definition">
              {stableStringify(doc.data)}
            </pre>
          )}
        </>
      )}
    </Dialog>
  );
}

const sideRef = (side: CompareSide): ep.VersionRef => (side.kind === "version" ? side.version.id : "development");

interface CompareProps {
  ws: Id;
  kind: ep.ObjectKind;
  id: Id;
  plan: { left: CompareSide; right: CompareSide };
  nodeTypes: NodeType[];
  unsaved: boolean;
  onClose: () => void;
}

/** The structural diff of two versions (or a version and the development state), from the server: for a
 * job its DAG coloured beside the property changes, for a script the line diff of its content. */
function CompareDialog({ ws, kind, id, plan, nodeTypes, unsaved, onClose }: CompareProps) {
  const from = sideRef(plan.left);
  const to = sideRef(plan.right);
  // Versions never change; the development state may have been saved since the last look.
  const staleTime = from === "development" || to === "development" ? 0 : Infinity;
  const job = useQuery({
    queryKey: keys.versionsDiff(ws, kind, id, from, to),
    queryFn: () => ep.jobVersionsDiff(ws, id, from, to),
    enabled: kind === "jobs",
    staleTime,
  });
  const script = useQuery({
    queryKey: keys.versionsDiff(ws, kind, id, from, to),
    queryFn: () => ep.scriptVersionsDiff(ws, id, from, to),
    enabled: kind === "scripts",
    staleTime,
  });
  const q = kind === "jobs" ? job : script;
  return (
    <Dialog title="Compare Versions" onClose={onClose} width="min(1300px, 96vw)" className="dialog-tall">
      <div className="compare-bar">
        <span>
          {sideTitle(plan.left)} ⟷ {sideTitle(plan.right)}
        </span>
      </div>
      {unsaved && to === "development" && (
        <p className="notice notice-info">The development state is compared as last saved: save to include the changes you have not saved.</p>
      )}
      {q.isPending && <Spinner label="Comparing versions…" />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      {kind === "jobs" && job.data && (
        <JobDiffView
          diff={job.data.diff}
          before={job.data.old.document as unknown as JobDocument}
          after={job.data.new.document as unknown as JobDocument}
          nodeTypes={nodeTypes}
          label="Differences"
        />
      )}
      {kind === "scripts" && script.data && <ScriptDiffView diff={script.data.diff} label="Differences" />}
    </Dialog>
  );
}
