import { useCallback, useEffect, useMemo, useState } from "react";
import { useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
import { useWrite } from "../api/mutations";
import type { Id } from "../api/types";
import { useSessionWorkspace, useTabs } from "../shell/ConsoleContext";
import { tabKey } from "../shell/tabs";
import { useToast } from "../ui/bits";
import { saveProblem, type SaveProblem } from "./messages";


/**
 * An open job or script: the server's copy, the user's unsaved draft, and Save / Submit / Lock / Unlock
 * with the API's concurrency rules (If-Match on save; the lock for edit, save and submit).
 */
export function useEditor<K extends keyof ep.Editable>(kind: K, id: Id) {
  type D = ep.Editable[K]["doc"];
  const { workspace } = useSessionWorkspace();
  const { setTabState } = useTabs();
  const ws = workspace.id;
  const plural: ep.ObjectKind = kind === "job" ? "jobs" : "scripts";
  const queryKey = kind === "job" ? keys.job(ws, id) : keys.script(ws, id);
  const queryClient = useQueryClient();
  const toast = useToast();
  const query = useQuery({ queryKey, queryFn: () => ep.objectGet(ws, kind, id) });
  const [draft, setDraft] = useState<D | null>(null);
  const [problem, setProblem] = useState<SaveProblem | null>(null);

  const obj = query.data;
  const document = (draft ?? (obj?.document as D | undefined)) ?? null;
  const dirty = draft !== null;
  const editable = !!obj?.lockedByMe;

  useEffect(() => {
    setTabState(tabKey({ kind, id }), { dirty, ...(obj ? { title: obj.name } : {}) });
  }, [dirty, obj, kind, id, setTabState]);

  const update = useCallback((doc: D) => setDraft(doc), []);
  const discard = useCallback(() => {
    setDraft(null);
    setProblem(null);
  }, []);

  const refresh = useCallback(async () => {
    setProblem(null);
    await query.refetch();
  }, [query]);

  // Save, Submit, Lock and Unlock are one mutation: its running label is the busy line, its error the
  // editor's problem, and what each write changed is invalidated (and refetched) before the buttons return.
  const write = useWrite(({ fn }: { label: string; fn: () => Promise<void>; changes: QueryKey[] }) => fn(), {
    invalidates: (vars) => [...vars.changes, keys.tree(ws, kind)],
    untilRefetched: true,
  });
  const { mutateAsync } = write;
  const busy = write.isPending ? (write.variables?.label ?? null) : null;
  const run = useCallback(
    async (label: string, fn: () => Promise<void>, changes: QueryKey[] = []) => {
      setProblem(null);
      try {
        await mutateAsync({ label, fn, changes });
        return true;
      } catch (e) {
        setProblem(saveProblem(e, kind));
        return false;
      }
    },
    [mutateAsync, kind],
  );

  const save = useCallback(async () => {
    if (!obj || !draft) return true;
    return run("Saving…", async () => {
      const fresh = await ep.objectSave(ws, plural, id, draft, obj.revision);
      // The answer is the saved object: shown at once, no refetch.
      queryClient.setQueryData(queryKey, fresh);
      setDraft(null);
      toast("Saved.");
    });
  }, [obj, draft, run, ws, plural, id, queryClient, queryKey, toast]);

  const submit = useCallback(
    async (description: string) => {
      if (!obj) return false;
      if (draft) {
        const saved = await save();
        if (!saved) return false;
      }
      return run(
        "Submitting…",
        async () => {
          await ep.objectSubmit(ws, plural, id, description);
          toast("Submitted.");
        },
        [queryKey, ["ws", ws, plural, id]],
      );
    },
    [obj, draft, save, run, ws, plural, id, queryKey, toast],
  );

  const lock = useCallback(() => run("Locking…", () => ep.objectLock(ws, plural, id).then(() => undefined), [queryKey]), [run, ws, plural, id, queryKey]);

  const unlock = useCallback(
    () =>
      run(
        "Unlocking…",
        async () => {
          await ep.objectUnlock(ws, plural, id);
          setDraft(null);
          toast("Unlocked.");
        },
        [queryKey],
      ),
    [run, ws, plural, id, queryKey, toast],
  );

  const reloadDiscarding = useCallback(async () => {
    setDraft(null);
    await refresh();
  }, [refresh]);

  return useMemo(
    () => ({ ws, plural, query, obj, document, dirty, editable, update, discard, save, submit, lock, unlock, refresh, reloadDiscarding, problem, setProblem, busy }),
    [ws, plural, query, obj, document, dirty, editable, update, discard, save, submit, lock, unlock, refresh, reloadDiscarding, problem, busy],
  );
}
