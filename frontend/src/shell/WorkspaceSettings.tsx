import { useId, useState } from "react";
import * as ep from "../api/endpoints";
import { keys, useWorkspace } from "../api/hooks";
import { useWrite } from "../api/mutations";
import type { LockPolicy, Workspace, WorkspaceUpdate } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { WriteDialog } from "../ui/WriteDialog";
import { ErrorNotice, Spinner, useToast } from "../ui/bits";
import { allowListRequest, allowListRowErrors, describeEntry } from "./allowList";
import { useSessionWorkspace } from "./ConsoleContext";

const POLICIES: { value: LockPolicy; label: string; hint: string }[] = [
  { value: "soft", label: "Soft lock", hint: "Anyone may take the lock of a job or script from its holder." },
  { value: "hard", label: "Hard lock", hint: "A lock is taken only once released, or by a workspace admin." },
];

const ENTRY_HINT =
  "One location per row: * for any bucket (never the console's own storage), a bucket such as dlf-demo, or a folder such as dlf-demo/team/. " +
  "Imports, exports and OBS browsing of this workspace reach only these; with no rows it cannot use OBS.";

function ReadOnly({ workspace }: { workspace: Workspace }) {
  const policy = POLICIES.find((p) => p.value === workspace.lockPolicy);
  return (
    <div className="form">
      <p className="muted">Only workspace admins can change these settings.</p>
      <div className="field">
        <span className="field-label">Lock Policy</span>
        <div className="field-control">
          <strong>{policy?.label ?? workspace.lockPolicy}</strong>
          {policy && <div className="field-hint">{policy.hint}</div>}
        </div>
      </div>
      <div className="field">
        <span className="field-label">OBS Allow-List</span>
        <div className="field-control">
          {workspace.obsAllowList.length ? (
            <ul aria-label="OBS allow-list" className="plain-list">
              {workspace.obsAllowList.map((entry) => (
                <li key={entry}>{describeEntry(entry)}</li>
              ))}
            </ul>
          ) : (
            <p>Empty: this workspace may not use OBS.</p>
          )}
        </div>
      </div>
    </div>
  );
}

function AdminForm({ workspace, onClose }: { workspace: Workspace; onClose: () => void }) {
  const toast = useToast();
  const policyName = useId();
  const listId = useId();
  const [policy, setPolicy] = useState<LockPolicy>(workspace.lockPolicy);
  const [rows, setRows] = useState<string[]>(() => [...workspace.obsAllowList]);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const sent = allowListRequest(rows);
  // The session carries every workspace's policy and list (the top bar, the context); the OBS status and
  // listings follow the list. Open jobs are left alone.
  const save = useWrite((body: WorkspaceUpdate) => ep.workspaceUpdate(workspace.id, body), {
    invalidates: [keys.session, keys.workspace(workspace.id), keys.obsStatus(workspace.id), ["ws", workspace.id, "obs-browse"]],
    untilRefetched: true,
    onDone: () => {
      toast("Workspace settings saved.");
      onClose();
    },
  });
  const rowErrors = allowListRowErrors(save.error, sent.rowOf);
  const edit = (update: (r: string[]) => string[]) => {
    setRows(update);
    if (rowErrors) save.reset();
  };
  const submit = () => save.mutate({ lockPolicy: policy, obsAllowList: sent.entries });

  return (
    <WriteDialog
      title="Workspace Settings"
      width={620}
      write={save}
      onSubmit={submit}
      onClose={onClose}
      submitLabel="Save"
      busyLabel="Saving…"
      shownError={rowErrors ? null : save.error}
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="muted">
          Workspace <strong>{workspace.name}</strong>
        </p>
        <fieldset className="radio-group">
          <legend>Lock Policy</legend>
          {POLICIES.map((p) => (
            <label key={p.value} title={p.hint}>
              <input type="radio" name={policyName} value={p.value} checked={policy === p.value} onChange={() => setPolicy(p.value)} />
              {p.label} <span className="muted small">— {p.hint}</span>
            </label>
          ))}
        </fieldset>
        <fieldset className="allow-list" aria-describedby={`${listId}-hint`}>
          <legend>OBS Allow-List</legend>
          <div className="field-hint" id={`${listId}-hint`}>
            {ENTRY_HINT}
          </div>
          {rows.length === 0 && <p className="muted">No entries: this workspace may not use OBS.</p>}
          {rows.map((row, i) => {
            const problem = rowErrors?.[i];
            const errorId = `${listId}-error-${i}`;
            return (
              <div key={i} className="allow-list-row">
                <div className="input-with-button">
                  <input
                    aria-label={`Allow-list entry ${i + 1}`}
                    placeholder="bucket or bucket/folder/"
                    value={row}
                    autoFocus={focusRow === i}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? errorId : undefined}
                    onChange={(e) => edit((r) => r.map((x, j) => (j === i ? e.target.value : x)))}
                  />
                  <button type="button" aria-label={`Remove entry ${i + 1}`} onClick={() => edit((r) => r.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </div>
                {problem && (
                  <div className="field-error" role="alert" id={errorId}>
                    {problem}
                  </div>
                )}
              </div>
            );
          })}
          <button
            type="button"
            onClick={() => {
              setFocusRow(rows.length);
              edit((r) => [...r, ""]);
            }}
          >
            Add entry
          </button>
        </fieldset>
        {/* Submitted by Enter in an entry; the footer's Save does the same. */}
        <button type="submit" hidden />
      </form>
    </WriteDialog>
  );
}

/** "Workspace Settings" from the top bar: the lock policy and OBS allow-list; admins change them. */
export function WorkspaceSettingsDialog({ onClose }: { onClose: () => void }) {
  const { workspace } = useSessionWorkspace();
  // Read afresh: the session may be older than another admin's change.
  const q = useWorkspace(workspace.id);
  if (q.data?.role === "admin") return <AdminForm workspace={q.data} onClose={onClose} />;
  return (
    <Dialog
      title="Workspace Settings"
      onClose={onClose}
      width={620}
      footer={
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      }
    >
      {q.isPending && <Spinner label="Loading the workspace…" />}
      <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />
      {q.data && <ReadOnly workspace={q.data} />}
    </Dialog>
  );
}
