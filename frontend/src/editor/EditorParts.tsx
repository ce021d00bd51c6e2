import { useId, useState } from "react";
import type { LockInfo } from "../api/types";
import { Notice, Spinner } from "../ui/bits";
import { ConfirmDialog } from "../ui/forms";
import { WriteDialog } from "../ui/WriteDialog";
import { useWrite } from "../api/mutations";
import { lockStatus, MAX_VERSION_DESCRIPTION, type SaveProblem } from "./messages";

/** "Submit" (DataArts' Submit Version): a description of at most 128 characters and a confirmation. */
export function SubmitDialog({ noun, dirty, onSubmit, onClose }: { noun: string; dirty: boolean; onSubmit: (description: string) => Promise<boolean>; onClose: () => void }) {
  const id = useId();
  const confirmId = useId();
  const [description, setDescription] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  // onSubmit reports its own error (the editor's notice) and answers whether it went through.
  const write = useWrite((text: string) => onSubmit(text), { onDone: (ok) => ok && onClose() });
  const tooLong = description.length > MAX_VERSION_DESCRIPTION;
  return (
    <WriteDialog
      title="Submit Version"
      width={480}
      write={write}
      onSubmit={() => write.mutate(description.trim())}
      onClose={onClose}
      busyLabel="Submitting…"
      disabled={!confirmed || tooLong || !description.trim()}
    >
      {dirty && <Notice kind="warning">Your unsaved changes are saved first.</Notice>}
      <div className="field">
        <div className="field-label">
          <span className="required" aria-hidden="true">*</span>
          <label htmlFor={id}>Version Description</label>
        </div>
        <div className="field-control">
          <textarea id={id} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} aria-invalid={tooLong || undefined} data-autofocus />
          <div className={`field-hint${tooLong ? " error-text" : ""}`}>
            {description.length}/{MAX_VERSION_DESCRIPTION}
          </div>
        </div>
      </div>
      <label className="check-line" htmlFor={confirmId}>
        <input id={confirmId} type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
        I have checked the changes to this {noun} and want to submit them.
      </label>
    </WriteDialog>
  );
}

/** The lock state and the Lock / Unlock buttons, with the warning DataArts gives before grabbing a lock. */
export function LockControls({ obj, noun, dirty, busy, onLock, onUnlock }: { obj: LockInfo; noun: string; dirty: boolean; busy: boolean; onLock: () => Promise<boolean>; onUnlock: () => Promise<boolean> }) {
  const [confirm, setConfirm] = useState<"grab" | "unlock" | null>(null);
  return (
    <>
      <span className={`lock-state${obj.lockedByMe ? " mine" : obj.lockHolder ? " other" : ""}`} aria-live="polite">
        {lockStatus(obj)}
      </span>
      {obj.lockedByMe ? (
        <button type="button" onClick={() => (dirty ? setConfirm("unlock") : void onUnlock())} disabled={busy}>
          Unlock
        </button>
      ) : (
        <button type="button" onClick={() => (obj.lockHolder ? setConfirm("grab") : void onLock())} disabled={busy}>
          Lock
        </button>
      )}
      {confirm === "grab" && (
        <ConfirmDialog
          title="Lock"
          confirmLabel="Lock"
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await onLock();
          }}
        >
          This {noun} is locked by {obj.lockHolder}. Taking the lock loses their unsaved changes.
        </ConfirmDialog>
      )}
      {confirm === "unlock" && (
        <ConfirmDialog
          title="Unlock"
          confirmLabel="Unlock"
          danger
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await onUnlock();
          }}
        >
          You have unsaved changes. Unlocking discards them.
        </ConfirmDialog>
      )}
    </>
  );
}

/** The save/submit/lock problem, with a Reload button for a stale save. */
export function ProblemNotice({ problem, onReload, onDismiss }: { problem: SaveProblem | null; onReload: () => void; onDismiss: () => void }) {
  if (!problem) return null;
  return (
    <div className="notice notice-error editor-problem" role="alert">
      <span>{problem.message}</span>
      {problem.kind === "stale" && (
        <button type="button" onClick={onReload}>
          Reload
        </button>
      )}
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

export function BusyLine({ busy }: { busy: string | null }) {
  return busy ? <Spinner label={busy} /> : null;
}
