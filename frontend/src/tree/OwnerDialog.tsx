import { useId, useState } from "react";
import * as ep from "../api/endpoints";
import type { Id } from "../api/types";
import type { Ticked } from "./selection";
import type { QueryKey } from "@tanstack/react-query";
import { useWrite } from "../api/mutations";
import { useToast } from "../ui/bits";
import { WriteDialog } from "../ui/WriteDialog";
import { OWNER_MAX, ownerProblem, ownerRequest, ownerResultText, type OwnerForm } from "./owner";

/**
 * Configure Owner from the tree's ⋮ menu. `ticked`: the ticked jobs or scripts get the Target Owner (OK);
 * null: DataArts' form, every object of the Current Owner goes to the Target Owner (Migrate). Locks held
 * by others under the hard policy refuse the whole change, as the server says.
 */
export function OwnerDialog({
  ws,
  kind,
  nouns,
  ticked,
  invalidates,
  onClose,
}: {
  ws: Id;
  kind: ep.ObjectKind;
  nouns: { one: string; many: string };
  ticked: Ticked | null;
  /** The queries the change of owner touches (the tree shows owners). */
  invalidates: QueryKey[];
  onClose: () => void;
}) {
  const toast = useToast();
  const currentId = useId();
  const targetId = useId();
  const [form, setForm] = useState<OwnerForm>({ currentOwner: "", targetOwner: "" });
  const migrate = ticked === null;
  const problem = ownerProblem(ticked, form);
  const write = useWrite(() => ep.objectsOwnerSet(ws, kind, ownerRequest(ticked, form)), {
    invalidates,
    onDone: (result) => {
      toast(ownerResultText(result, nouns, form, migrate));
      onClose();
    },
  });
  const submit = () => {
    if (!problem && !write.isPending) write.mutate();
  };
  const many = nouns.many.toLowerCase();
  return (
    <WriteDialog title="Configure Owner" width={480} write={write} onSubmit={submit} onClose={onClose} submitLabel={migrate ? "Migrate" : "OK"} disabled={!!problem}>
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
            : `The owner of the ${ticked.count} ticked ${ticked.count === 1 ? nouns.one.toLowerCase() : many} becomes the Target Owner.`}
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
    </WriteDialog>
  );
}
