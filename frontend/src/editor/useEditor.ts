import { useCallback, useEffect, useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import * as ep from "../api/endpoints";
import { keys } from "../api/hooks";
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
  const [busy, setBusy] = useState<string | null>(null);

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

  const run = useCallback(
    async (label: string, fn: () => Promise<void>) => {
      setBusy(label);
      setProblem(null);
      try {
        await fn();
        return true;
      } catch (e) {
        setProblem(saveProblem(e, kind));
        return false;
      } finally {
        setBusy(null);
      }
    },
    [kind],
  );

  const afterWrite = useCallback(
    async (fresh: unknown) => {
      if (fresh && typeof fresh === "object" && "document" in (fresh as object) && "revision" in (fresh as object)) {
        queryClient.setQueryData(queryKey, fresh);
      } else {
        await queryClient.invalidateQueries({ queryKey });
      }
    },
    [queryClient, queryKey],
  );

  const save = useCallback(async () => {
    if (!obj || !draft) return true;
    return run("Saving…", async () => {
      const fresh = await ep.objectSave(ws, plural, id, draft, obj.revision);
      await afterWrite(fresh);
      setDraft(null);
      toast("Saved.");
      void queryClient.invalidateQueries({ queryKey: keys.tree(ws, kind) });
    });
  }, [obj, draft, run, ws, plural, id, afterWrite, toast, kind]);

  const submit = useCallback(
    async (description: string) => {
      if (!obj) return false;
      if (draft) {
        const saved = await save();
        if (!saved) return false;
      }
      return run("Submitting…", async () => {
        await ep.objectSubmit(ws, plural, id, description);
        await queryClient.invalidateQueries({ queryKey });
        await queryClient.invalidateQueries({ queryKey: ["ws", ws, plural, id] });
        toast("Submitted.");
        void queryClient.invalidateQueries({ queryKey: keys.tree(ws, kind) });
      });
    },
    [obj, draft, save, run, ws, plural, id, queryClient, queryKey, toast, kind],
  );

  const lock = useCallback(
    () =>
      run("Locking…", async () => {
        await ep.objectLock(ws, plural, id);
        await queryClient.invalidateQueries({ queryKey });
        void queryClient.invalidateQueries({ queryKey: keys.tree(ws, kind) });
      }),
    [run, ws, plural, id, queryClient, queryKey, kind],
  );

  const unlock = useCallback(
    () =>
      run("Unlocking…", async () => {
        await ep.objectUnlock(ws, plural, id);
        setDraft(null);
        await queryClient.invalidateQueries({ queryKey });
        toast("Unlocked.");
        void queryClient.invalidateQueries({ queryKey: keys.tree(ws, kind) });
      }),
    [run, ws, plural, id, queryClient, queryKey, toast, kind],
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
