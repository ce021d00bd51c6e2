/**
 * Writes as TanStack mutations: the busy state and the error come from useMutation, and a write that
 * succeeded invalidates the queries it changed (keys from ./hooks), so whatever shows them refetches. A
 * refresh is an invalidation: no component counts writes or reloads by hand.
 */
import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";

export type Invalidates<TVars, TResult> = readonly QueryKey[] | ((vars: TVars, result: TResult) => readonly QueryKey[]);

export function useWrite<TVars = void, TResult = unknown>(
  write: (vars: TVars) => Promise<TResult>,
  { invalidates = [], onDone }: { invalidates?: Invalidates<TVars, TResult>; onDone?: (result: TResult, vars: TVars) => void } = {},
) {
  const queryClient = useQueryClient();
  return useMutation<TResult, unknown, TVars>({
    mutationFn: write,
    onSuccess: (result, vars) => {
      const changed = typeof invalidates === "function" ? invalidates(vars, result) : invalidates;
      // Not awaited: the dialog closes at once and what it changed refetches behind it.
      for (const queryKey of changed) void queryClient.invalidateQueries({ queryKey });
      onDone?.(result, vars);
    },
  });
}
