import { useId, useState } from "react";
import * as ep from "../api/endpoints";
import type { Id } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { ErrorNotice, useToast } from "../ui/bits";
import { OWNER_MAX, ownerProblem, ownerRequest, ownerResultText, type OwnerForm } from "./owner";

/**
 * Configure Owner from the tree's ⋮ menu. `ids`: the ticked jobs or scripts get the Target Owner (OK);
 * null: DataArts' form, every object of the Current Owner goes to the Target Owner (Migrate). Locks held
 * by others under the hard policy refuse the whole change, as the server says.
 */
export function OwnerDialog({
  ws,
  kind,
  nouns,
  ids,
  onClose,
  onDone,
}: {
  ws: Id;
  kind: ep.ObjectKind;
  nouns: { one: string; many: string };
  ids: Id[] | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const toast = useToast();
  const currentId = useId();
  const targetId = useId();
  const [form, setForm] = useState<OwnerForm>({ currentOwner: "", targetOwner: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const migrate = ids === null;
  const problem = ownerProblem(ids, form);
  const submit = async () => {
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      const result = await ep.objectsOwnerSet(ws, kind, ownerRequest(ids, form));
      toast(ownerResultText(result, nouns, form, migrate));
      onDone();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const many = nouns.many.toLowerCase();
  return (
    <Dialog
      title="Configure Owner"
      onClose={onClose}
      dismissable={!busy}
      width={480}
      footer={
        <>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={submit} disabled={busy || !!problem}>
            {busy ? "Working…" : migrate ? "Migrate" : "OK"}
          </button>
        </>
      }
    >
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="muted">
          {migrate
            ? `Every ${nouns.one.toLowerCase()} of the Current Owner gets the Target Owner. Tick ${many} first (Show Check Box) to change only those.`
            : `The owner of the ${ids.length} ticked ${ids.length === 1 ? nouns.one.toLowerCase() : many} becomes the Target Owner.`}
        </p>
        {migrate && (
          <div className="field">
            <label htmlFor={currentId}>Current Owner</label>
            <div className="field-control">
              <input id={currentId} maxLength={OWNER_MAX} value={form.currentOwner} onChange={(e) => setForm((f) => ({ ...f, currentOwner: e.target.value }))} data-autofocus />
            </div>
          </div>
        )}
        <div className="field">
          <label htmlFor={targetId}>Target Owner</label>
          <div className="field-control">
            <input id={targetId} maxLength={OWNER_MAX} value={form.targetOwner} onChange={(e) => setForm((f) => ({ ...f, targetOwner: e.target.value }))} data-autofocus={migrate ? undefined : true} />
          </div>
        </div>
        {problem && (form.currentOwner || form.targetOwner) && <div className="field-error">{problem}</div>}
        <button type="submit" hidden />
      </form>
      <ErrorNotice error={error} />
    </Dialog>
  );
}
